"""Access control through the real server (gunicorn): the first admin on a fresh database, the refusal to
serve AUTH=off beyond loopback, and 8 threads x 500 stored screenings with 4 keys of 2 teams."""

import http.client
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api.access import key_ring
from screening.history.store import Store
from screening.history.tables import audit_events, screenings
from tests.support import launch
from tests.support.history_rows import EXAMPLE

THREADS, PER_THREAD = 8, 500


def test_a_fresh_database_gets_its_first_admin_with_a_one_time_password_printed_once(tmp_path):
    env = {"SOLEUS_AUTH": "on", "SOLEUS_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3"}
    with launch.start(launch.serve_command("--workers", "1"), env=env) as server:
        lines = [line for line in server.lines() if "first admin" in line]
        assert len(lines) == 1
        password = lines[0].split("one-time password ")[1].split(" ")[0]
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/v1/runners/r-1/trend")
        assert connection.getresponse().status == 401
        connection.close()
        log = "\n".join(server.lines())
        assert log.count(password) == 1  # the console line only: no request or other log line has it
    with launch.start(launch.serve_command("--workers", "1"), env=env) as again:
        assert not [line for line in again.lines() if "first admin" in line]


def test_serve_with_auth_off_refuses_an_address_beyond_loopback(tmp_path):
    command = [sys.executable, "-m", "api.commands", "serve", "--host", "0.0.0.0", "--port", "0"]
    env = {**launch.os.environ, "SOLEUS_AUTH": "off", "SOLEUS_DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    refusal = [line for line in done.stderr.splitlines() if "refusing" in line]
    assert len(refusal) == 1 and "0.0.0.0" in refusal[0] and "SOLEUS_AUTH=off" in refusal[0]


def test_eight_threads_store_under_their_keys_teams_each_screening_audited_once(tmp_path):
    url = f"sqlite:///{tmp_path}/busy.sqlite3"
    store = Store.open(url, upgrade=True)
    tokens = [
        (team, key_ring.create(store.engine, name=f"{team}-{n}", team=team, scopes=["screen"]))
        for team in ("club-a", "club-b")
        for n in range(2)
    ]
    env = {"SOLEUS_AUTH": "on", "SOLEUS_DATABASE_URL": url}
    with launch.start(launch.serve_command(), env=env) as server:

        def client(n: int) -> list[tuple[str, str, int]]:
            team, token = tokens[n % len(tokens)]
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            done = []
            for i in range(PER_THREAD):
                intake = {**EXAMPLE, "runner": {**EXAMPLE["runner"], "id": f"t{n}-r{i % 20}"}}
                connection.request(
                    "POST",
                    "/v1/screenings",
                    json.dumps(intake),
                    {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                )
                answer = connection.getresponse()
                body = answer.read()
                done.append((team, json.loads(body).get("screening_id"), answer.status))
            connection.close()
            return done

        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            results = [row for rows in pool.map(client, range(THREADS)) for row in rows]
        seconds = time.monotonic() - started
    assert [status for *_, status in results if status != 200] == []
    with store.engine.connect() as connection:
        teams = dict(connection.execute(select(screenings.c.screening_id, screenings.c.team)).all())
        audited = connection.execute(
            select(audit_events.c.screening_id, func.count(), func.min(audit_events.c.team))
            .where(audit_events.c.action == "screen")
            .group_by(audit_events.c.screening_id)
        ).all()
    assert len(teams) == THREADS * PER_THREAD
    assert all(teams[screening_id] == team for team, screening_id, _ in results)
    assert len(audited) == THREADS * PER_THREAD
    assert all(count == 1 and teams[screening_id] == team for screening_id, count, team in audited)
    print(f"\n{len(audited)} audit rows in {seconds:.1f} s: {len(audited) / seconds:.0f} rows/s")
