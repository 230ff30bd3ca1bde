"""GET /ready looks at the database: 503 with the database's own reason while it cannot be written or
reached, ready again by itself once it can; store failures are logged in the database's words.

Real faults: a full tmpfs and another connection holding SQLite's write lock;
a PostgreSQL database that refuses connections.
"""

import json
import logging
import sqlite3
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api import create_app
from screening.history import migrate, store_health
from screening.history.database import make_engine
from tests.support.databases import postgres_database
from tests.support.disks import fill, small_disk
from tests.support.history_rows import EXAMPLE


@pytest.fixture(autouse=True)
def _quick_recovery(monkeypatch):
    """A probe's answer kept 0.2 s and a failed write remembered 0.5 s, so recovery is seen quickly."""
    monkeypatch.setattr(store_health, "TTL", 0.2)
    monkeypatch.setattr(store_health, "RECENT", 0.5)


def ready_again(client, within: float = 5.0):
    deadline = time.monotonic() + within
    while True:
        response = client.get("/ready")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def screen(client, runner: str = "ready-runner"):
    payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": runner})
    return client.post("/v1/screenings", json=payload)


def test_ready_is_503_with_the_databases_reason_on_a_full_disk_and_ready_again_once_space_is_freed(tmp_path, caplog):
    with small_disk(tmp_path / "disk") as disk:
        app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": f"sqlite:///{disk}/history.sqlite3"})
        client = app.test_client()
        assert client.get("/ready").get_json()["store"] == "writable"
        filler = fill(disk)
        with caplog.at_level(logging.ERROR, logger="soleus"):
            answer = screen(client)
            response = client.get("/ready")
        assert answer.status_code == 503
        assert response.status_code == 503
        problem = response.get_json()
        assert problem["store"]["code"] == "SQLITE_FULL"
        assert "SQLITE_FULL" in problem["detail"]
        # The log says the database's own message and code, never the intake it was writing.
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "database or disk is full (SQLITE_FULL)" in logged
        assert "ready-runner" not in logged
        filler.unlink()
        assert ready_again(client).status_code == 200
        assert screen(client).status_code == 200
        app.extensions["soleus.database"].engine.dispose()


def test_ready_answers_503_at_once_while_another_connection_holds_the_sqlite_write_lock(tmp_path):
    path = tmp_path / "history.sqlite3"
    client = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": f"sqlite:///{path}"}).test_client()
    assert client.get("/ready").status_code == 200
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        time.sleep(0.3)  # the last probe's answer has expired
        started = time.monotonic()
        response = client.get("/ready")
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.get_json()["store"] == {"code": "SQLITE_BUSY", "message": "database is locked"}
    assert took < 2.0
    assert ready_again(client).status_code == 200


def test_ready_is_503_while_postgresql_refuses_connections_and_ready_again_when_it_takes_them():
    with postgres_database() as url:
        migrate.upgrade(make_engine(url))
        client = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": url}).test_client()
        assert client.get("/ready").status_code == 200
        name = make_url(url).database
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
        try:
            time.sleep(0.3)
            response = client.get("/ready")
            assert response.status_code == 503
            store = response.get_json()["store"]
            assert f'database "{name}" is not currently accepting connections' in store["message"]
            assert screen(client).status_code == 503
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        assert ready_again(client).status_code == 200
        assert json.loads(screen(client).data)["stored"] is True
        client.application.extensions["soleus.database"].engine.dispose()
        admin.dispose()


def test_a_failed_write_keeps_the_store_not_ready_until_a_write_succeeds_or_a_while_passes(tmp_path):
    path = tmp_path / "history.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    now = [100.0]
    probe = store_health.StoreHealth(engine, clock=lambda: now[0])
    assert probe.status() is None
    # A real driver error: writing through a read-only connection.
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as failed:
        reader.execute("DELETE FROM screenings")
    reader.close()
    probe.wrote(failed.value)
    assert probe.status().code == "SQLITE_READONLY"
    now[0] += 0.4
    assert probe.status().code == "SQLITE_READONLY"
    probe.wrote(None)
    assert probe.status() is None
    probe.wrote(failed.value)
    now[0] += 0.6  # no failure since: the probe alone decides, and the database can be written
    assert probe.status() is None
    engine.dispose()
