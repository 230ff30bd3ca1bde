"""SIGTERM under write load (the real server, 2 workers x 8 threads): the server answers what it has in
flight, every `"stored": true` answer is a row, and it exits within gunicorn's graceful timeout (10 s).
On SQLite and on PostgreSQL."""

import http.client
import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from screening.history import migrate
from screening.history.database import make_engine
from tests.support import launch
from tests.support.history_rows import EXAMPLE

WRITERS = 8
GRACEFUL = 10


def test_sigterm_under_write_load_stores_every_answered_screening_and_exits_in_time(database_url):
    if not database_url.startswith("sqlite"):
        migrate.upgrade(make_engine(database_url))
    server = launch.start(
        launch.serve_command("--workers", "2", "--threads", "8"), env={"SOLEUS_DATABASE_URL": database_url}
    )
    stop = threading.Event()

    def write(n: int) -> list[str]:
        stored = []
        while not stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": f"term-{n}"})
                connection.request("POST", "/v1/screenings", json.dumps(payload), {"Content-Type": "application/json"})
                response = connection.getresponse()
                body = response.read()
            except OSError:  # refused or cut once the server stops taking connections
                time.sleep(0.01)
                continue
            finally:  # a connection cut mid-answer is closed too (an unclosed socket fails the test)
                connection.close()
            if response.status == 200 and json.loads(body).get("stored") is True:
                stored.append(json.loads(body)["screening_id"])
        return stored

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            writers = [pool.submit(write, n) for n in range(WRITERS)]
            time.sleep(2.0)
            server.process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            server.process.wait(GRACEFUL + 5)
            took = time.monotonic() - started
            stop.set()
            answered = [screening for writer in writers for screening in writer.result()]
    finally:
        stop.set()
        server.stop()
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = set(connection.execute(text("SELECT screening_id FROM screenings")).scalars())
    engine.dispose()
    assert answered, "no screening was answered before the SIGTERM"
    assert set(answered) <= rows  # every stored:true answer is a row
    assert len(rows) - len(answered) <= WRITERS  # at most the ones in flight whose answer was cut
    assert took < GRACEFUL + 1
    assert server.process.returncode == 0
