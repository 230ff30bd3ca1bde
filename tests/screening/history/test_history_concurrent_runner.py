"""16 screenings of one runner at once, on the real server (gunicorn, 2 workers x 8 threads), do not fork
its history: each names as `previous` the one stored just before it, so they form one chain.
On SQLite and on PostgreSQL."""

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

from screening.history import migrate
from screening.history.database import make_engine
from tests.support import launch
from tests.support.history_rows import EXAMPLE

AT_ONCE = 16


def screen(port: int) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": "one-runner"})
    connection.request("POST", "/v1/screenings?team=club-f", json.dumps(payload), {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, body[:300]
    return json.loads(body)


def test_sixteen_screenings_of_one_runner_at_once_form_one_chain(database_url):
    if not database_url.startswith("sqlite"):
        migrate.upgrade(make_engine(database_url))
    command = launch.serve_command("--workers", "2", "--threads", "8")
    with launch.start(command, env={"SOLEUS_DATABASE_URL": database_url}) as server:
        with ThreadPoolExecutor(AT_ONCE) as pool:
            results = list(pool.map(lambda _: screen(server.port), range(AT_ONCE)))
    previous = [(result["history"] or {}).get("previous") for result in results]
    named = [entry["screening_id"] for entry in previous if entry is not None]
    assert previous.count(None) == 1  # the first one alone has no previous
    assert len(set(named)) == AT_ONCE - 1  # no two name the same one: no fork
    ids = {result["screening_id"] for result in results}
    assert set(named) <= ids
    # Walking back from the one nobody names reaches every screening.
    by_id = {result["screening_id"]: result for result in results}
    (last,) = ids - set(named)
    chain = [last]
    while (entry := (by_id[chain[-1]]["history"] or {}).get("previous")) is not None:
        chain.append(entry["screening_id"])
    assert len(chain) == AT_ONCE
