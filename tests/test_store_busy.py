"""Another process holding SQLite's write lock: a write waits the stated STORE_WRITE_WAIT, then 503 with
nothing stored; the writes that come meanwhile are answered 503 at once (they would wait in vain), and /ready
says why within a second; the service writes again by itself once the lock is free."""

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from history_rows import EXAMPLE

from api import create_app
from screening.history import Store


def test_a_write_under_another_process_lock_waits_the_stated_time_then_503_and_the_rest_fail_fast(tmp_path):
    path = tmp_path / "history.sqlite3"
    url = f"sqlite:///{path}"
    app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": url, "STORE_WRITE_WAIT": 1.0})
    client = app.test_client()
    assert client.post("/v1/screenings", json=EXAMPLE).status_code == 200
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        first = client.post("/v1/screenings", json=EXAMPLE)
        waited = time.monotonic() - started

        def post(_):
            begun = time.monotonic()
            return app.test_client().post("/v1/screenings", json=EXAMPLE).status_code, time.monotonic() - begun

        with ThreadPoolExecutor(8) as pool:
            others = list(pool.map(post, range(8)))
        ready = client.get("/ready")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert first.status_code == 503
    assert "nothing was stored" in first.get_json()["detail"]
    assert 0.9 <= waited < 3.0
    assert {status for status, _ in others} == {503}
    assert max(took for _, took in others) < 0.5  # not another wait each
    assert ready.status_code == 503 and ready.get_json()["store"]["code"] == "SQLITE_BUSY"
    time.sleep(2.1)  # the failed write is 2 s old: writes are tried again
    assert client.post("/v1/screenings", json=EXAMPLE).status_code == 200
    app.extensions["soleus.database"].close()
    assert Store.open(url, upgrade=False).count() == 2
