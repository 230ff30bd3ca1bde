"""The history through the real server (gunicorn, 2 workers x 8 threads), on SQLite and on PostgreSQL.

Concurrency: 8 client threads x 1,000 screenings give exactly 8,000 rows, each
the very text its response carried. Crash: the server and its workers killed
with SIGKILL in the middle of a write load lose no screening whose answer was
sent, and the database is whole afterwards.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from screening.history import migrate
from screening.history.database import make_engine
from screening.result.schema import ResultSchema
from tests.support import launch
from tests.support.databases import postgres_database
from tests.support.history_rows import EXAMPLE

THREADS = 8
PER_THREAD = 1_000
BODY = json.dumps(EXAMPLE).encode()


@pytest.fixture
def served_url(database_url):
    """The database, with its schema current (the server refuses an external one that is behind)."""
    migrate.upgrade(make_engine(database_url))
    return database_url


def post(connection: http.client.HTTPConnection, runner: str, team: str) -> tuple[int, bytes]:
    payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": runner})
    connection.request(
        "POST", f"/v1/screenings?team={team}", body=json.dumps(payload), headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    return response.status, response.read()


def stored_results(url: str) -> dict[str, str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT screening_id, result FROM screenings")).all()
    engine.dispose()
    return {row.screening_id: row.result for row in rows}


@pytest.mark.slow
def test_concurrent_clients_store_exactly_one_row_per_answer_each_equal_to_it(served_url):
    with launch.start(launch.serve_command(), env={"SOLEUS_DATABASE_URL": served_url}) as server:

        def client(thread: int) -> list[bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            answers = []
            for _ in range(PER_THREAD):
                status, body = post(connection, f"runner-{thread}", "club-c")
                assert status == 200, body[:300]
                answers.append(body)
            connection.close()
            return answers

        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            answers = [body for bodies in pool.map(client, range(THREADS)) for body in bodies]
        assert time.monotonic() - started < 600
    stored = stored_results(served_url)
    assert len(answers) == len(stored) == THREADS * PER_THREAD
    for body in answers:
        result = json.loads(body)
        assert result["stored"] is True
        assert stored[result["screening_id"]].encode() == body


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
def test_a_server_killed_mid_write_loses_no_answered_screening_and_leaves_the_database_whole(served_url, synchronous):
    # NORMAL may lose the last commits to a power cut, never to a killed process (the OS has the WAL).
    if synchronous != "FULL" and not served_url.startswith("sqlite"):
        pytest.skip("SQLITE_SYNCHRONOUS is a SQLite setting")
    answered: list[bytes] = []
    lock = threading.Lock()
    stop = threading.Event()
    environment = {"SOLEUS_DATABASE_URL": served_url, "SOLEUS_SQLITE_SYNCHRONOUS": synchronous}
    server = launch.start(launch.serve_command(), env=environment)

    def client(thread: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            while not stop.is_set():
                try:
                    status, body = post(connection, f"crash-{thread}", "club-k")
                except (OSError, http.client.HTTPException):
                    return  # the server is gone: this request's answer never came
                if status == 200:
                    with lock:
                        answered.append(body)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(answered) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    # SIGKILL to the master and its workers at once, mid-load: nothing gets to flush or clean up.
    for pid in [server.process.pid, *_children(server.process.pid)]:
        os.kill(pid, signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(30)
    server.stop()
    assert len(answered) >= 300

    engine = make_engine(served_url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        rows = connection.execute(text("SELECT screening_id, runner_id, score, result FROM screenings")).all()
    engine.dispose()
    stored = {row.screening_id: row for row in rows}
    for body in answered:
        result = json.loads(body)
        assert stored[result["screening_id"]].result.encode() == body
    # Every row there (also those whose answer was lost in the kill) is a whole result.
    for row in rows:
        result = json.loads(row.result)
        assert (result["screening_id"], result["runner_id"], result["risk"]["score"]) == (
            row.screening_id,
            row.runner_id,
            row.score,
        )
    assert ResultSchema().validate(json.loads(rows[-1].result)) == {}
    # And the service starts on it again and reads it.
    with launch.start(launch.serve_command(), env={"SOLEUS_DATABASE_URL": served_url}) as again:
        connection = http.client.HTTPConnection("127.0.0.1", again.port, timeout=30)
        first = json.loads(answered[0])
        connection.request("GET", f"/v1/screenings/{first['screening_id']}")
        assert connection.getresponse().read() == answered[0]
        connection.close()


@pytest.fixture
def postgres_url():
    with postgres_database() as url:
        yield url


def test_serve_refuses_an_external_database_whose_schema_is_behind(postgres_url):
    # (The embedded SQLite file is upgraded on start instead: test_api_history covers that.)
    database_url = postgres_url
    migrate.upgrade(make_engine(database_url), "0001")
    command = [sys.executable, "-m", "api.commands", "serve", "--port", "0"]
    done = subprocess.run(
        command, env={**os.environ, "SOLEUS_DATABASE_URL": database_url}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "refusing to start" in done.stderr and "revision 0001" in done.stderr
    assert "soleus-screen db upgrade" in done.stderr
    upgraded = subprocess.run(
        [sys.executable, "-m", "api.commands", "db", "upgrade"],
        env={**os.environ, "SOLEUS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert migrate.current(make_engine(database_url)) == migrate.head()
