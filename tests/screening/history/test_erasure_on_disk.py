"""An erasure reaches the disk: with a reader holding the old pages, the answer says `"on_disk": "pending"`
and the service overwrites them once the reader is done; without one, `"erased"` and none of the runner's
bytes are left. PostgreSQL answers `"unverified"` (its dead row versions stay until VACUUM)."""

import json
import sqlite3
import time
from pathlib import Path

from api import create_app
from screening.history import erasure, migrate
from screening.history.database import make_engine
from tests.support.history_rows import EXAMPLE

RUNNER = "erase-me-4b1d"


def runner_bytes(database: Path) -> int:
    """How many copies of the runner's stored intake are in the database's files (main file, WAL)."""
    marker = json.dumps({"id": RUNNER}, separators=(",", ":"))[:-1].encode()  # {"id":"erase-me-4b1d"
    files = [database, database.with_name(database.name + "-wal")]
    return sum(path.read_bytes().count(marker) for path in files if path.exists())


def screened_client(url: str, count: int = 3):
    if not url.startswith("sqlite"):
        migrate.upgrade(make_engine(url))
    client = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": url}).test_client()
    for _ in range(count):
        payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": RUNNER})
        assert client.post("/v1/screenings?team=club-e", json=payload).status_code == 200
    assert client.post("/v1/screenings?team=club-e", json=EXAMPLE).status_code == 200  # another runner, kept
    return client


def test_erasure_with_a_reader_open_says_pending_and_overwrites_the_pages_once_the_reader_is_done(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(erasure, "SETTLE_SECONDS", 0.3)
    monkeypatch.setattr(erasure, "RETRY_SECONDS", 0.1)
    database = tmp_path / "history.sqlite3"
    client = screened_client(f"sqlite:///{database}")
    reader = sqlite3.connect(database, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM screenings").fetchone() == (4,)  # a snapshot from before
    try:
        answer = client.delete(f"/v1/runners/{RUNNER}?team=club-e").get_json()
        assert (answer["erased"], answer["on_disk"]) == (3, "pending")
        assert runner_bytes(database) > 0  # the reader's snapshot still needs them
    finally:
        reader.execute("COMMIT")
        reader.close()
    store = client.application.extensions["soleus.database"]
    deadline = time.monotonic() + 10
    while (runner_bytes(database) or store.on_disk() != "erased") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert runner_bytes(database) == 0
    assert store.on_disk() == "erased"
    assert client.get(f"/v1/runners/{RUNNER}/screenings?team=club-e").get_json()["screenings"] == []
    assert (
        len(client.get(f"/v1/runners/{EXAMPLE['runner']['id']}/screenings?team=club-e").get_json()["screenings"]) == 1
    )


def test_erasure_without_a_reader_says_erased_and_leaves_none_of_the_runners_bytes(tmp_path):
    database = tmp_path / "history.sqlite3"
    client = screened_client(f"sqlite:///{database}")
    assert runner_bytes(database) > 0
    answer = client.delete(f"/v1/runners/{RUNNER}?team=club-e").get_json()
    assert (answer["erased"], answer["on_disk"]) == (3, "erased")
    assert runner_bytes(database) == 0


def test_removing_one_screening_says_whether_it_is_off_the_disk(database_url):
    client = screened_client(database_url, count=1)
    listed = client.get(f"/v1/runners/{RUNNER}/screenings?team=club-e").get_json()
    screening_id = listed["screenings"][0]["screening_id"]
    answer = client.delete(f"/v1/screenings/{screening_id}?team=club-e&reason=wrong+runner").get_json()
    assert answer["deleted"] is True
    assert answer["on_disk"] == ("erased" if database_url.startswith("sqlite") else "unverified")
    client.application.extensions["soleus.database"].close()


def test_erasure_on_postgresql_says_its_bytes_are_unverified(database_url):
    client = screened_client(database_url, count=1)
    answer = client.delete(f"/v1/runners/{RUNNER}?team=club-e").get_json()
    assert answer["erased"] == 1
    assert answer["on_disk"] == ("erased" if database_url.startswith("sqlite") else "unverified")
    client.application.extensions["soleus.database"].close()
