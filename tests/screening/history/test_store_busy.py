"""Another process holding SQLite's write lock: a write waits the stated STORE_WRITE_WAIT, then 503 with
nothing stored; the writes that come meanwhile are answered 503 at once (they would wait in vain), reads
within a second, and /ready says why; the service writes again by itself once the lock is free."""

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from api import create_app
from screening.history.store import Store
from tests.support.history_rows import EXAMPLE


def test_a_write_under_another_process_lock_waits_the_stated_time_then_503_and_the_rest_fail_fast(tmp_path):
    path = tmp_path / "history.sqlite3"
    url = f"sqlite:///{path}"
    app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": url, "STORE_WRITE_WAIT": 1.0})
    client = app.test_client()
    stored = client.post("/v1/screenings", json=EXAMPLE).get_json()["screening_id"]
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        first = client.post("/v1/screenings", json=EXAMPLE)
        waited = time.monotonic() - started

        def post(_):
            begun = time.monotonic()
            return app.test_client().post("/v1/screenings", json=EXAMPLE).status_code, time.monotonic() - begun

        def read(_):
            begun = time.monotonic()
            return app.test_client().get(f"/v1/screenings/{stored}").status_code, time.monotonic() - begun

        with ThreadPoolExecutor(8) as pool:
            writing = pool.submit(lambda: client.post("/v1/screenings", json=EXAMPLE))  # another wait, beside
            reads = list(pool.map(read, range(4)))
            others = list(pool.map(post, range(8)))
            writing.result()
        ready = client.get("/ready")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert first.status_code == 503
    assert "nothing was stored" in first.get_json()["detail"]
    assert 0.9 <= waited < 3.0
    assert {status for status, _ in others} == {503}
    assert max(took for _, took in others) < 0.5  # not another wait each
    # Reads are not queued behind the writes: answered (or 503, their audit entry not written) within 1 s.
    assert max(took for _, took in reads) < 1.0
    assert ready.status_code == 503 and ready.get_json()["store"]["code"] == "SQLITE_BUSY"
    time.sleep(2.1)  # the failed write is 2 s old: writes are tried again
    assert client.post("/v1/screenings", json=EXAMPLE).status_code == 200
    app.extensions["soleus.database"].close()
    assert Store.open(url, upgrade=False).count() == 2


def test_reads_are_not_queued_behind_a_write_waiting_for_another_process_lock(tmp_path):
    path = tmp_path / "history.sqlite3"
    app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": f"sqlite:///{path}", "STORE_WRITE_WAIT": 3.0})
    stored = app.test_client().post("/v1/screenings", json=EXAMPLE).get_json()["screening_id"]
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(2) as pool:
            writing = pool.submit(lambda: app.test_client().post("/v1/screenings", json=EXAMPLE))
            time.sleep(0.3)  # the write is waiting for the lock now
            started = time.monotonic()
            read = app.test_client().get(f"/v1/screenings/{stored}")
            took = time.monotonic() - started
            assert writing.result().status_code == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # The read's audit entry waits its own half second for the lock, not the write's three.
    assert took < 1.5
    assert read.status_code == 503  # its audit entry could not be written: nothing is answered without one
    app.extensions["soleus.database"].close()
