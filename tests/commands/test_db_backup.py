"""`soleus-screen db backup` under 8 writers on the real server gives a consistent copy, and `db restore` of a
copy gives a store equal to the one backed up; PostgreSQL is refused with the pg_dump recipe."""

import http.client
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from screening.history.database import make_engine
from tests.support import launch
from tests.support.history_rows import EXAMPLE

WRITERS = 8


def db(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "api.commands", "db", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def contents(url: str) -> tuple[dict, dict]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT screening_id, result FROM screenings")).all())
        audit = dict(connection.execute(text("SELECT event_id, screening_id FROM audit_events")).all())
    engine.dispose()
    return rows, audit


def test_a_backup_under_eight_writers_is_consistent_and_restores_to_an_equal_store(tmp_path):
    url = f"sqlite:///{tmp_path}/history.sqlite3"
    stop = threading.Event()
    with launch.start(launch.serve_command("--workers", "2", "--threads", "8"), env={"SOLEUS_DATABASE_URL": url}) as s:

        def write(n: int) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
            done = 0
            while not stop.is_set() or done < 5:
                payload = dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": f"backup-{n}"})
                connection.request("POST", "/v1/screenings", json.dumps(payload), {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                assert response.status == 200
                done += 1
            connection.close()
            return done

        with ThreadPoolExecutor(WRITERS) as pool:
            writers = [pool.submit(write, n) for n in range(WRITERS)]
            during = db("backup", str(tmp_path / "during.sqlite3"), "--url", url)
            stop.set()
            written = sum(writer.result() for writer in writers)
        after = db("backup", str(tmp_path / "after.sqlite3"), "--url", url)
    assert during.returncode == 0, during.stderr
    assert after.returncode == 0, after.stderr
    final_rows, final_audit = contents(url)
    assert len(final_rows) == written
    # The copy made under load is one moment of the store: each row as stored, each with its audit entry.
    rows, audit = contents(f"sqlite:///{tmp_path}/during.sqlite3")
    assert 0 < len(rows) < written
    assert all(final_rows[screening_id] == result for screening_id, result in rows.items())
    assert sorted(screening for screening in audit.values() if screening) == sorted(rows)
    # Restored into a new store, the last copy is equal to the store it was taken from.
    restored = f"sqlite:///{tmp_path}/restored.sqlite3"
    done = db("restore", str(tmp_path / "after.sqlite3"), "--url", restored)
    assert done.returncode == 0, done.stderr
    assert f"restored {written} screenings" in done.stdout
    assert contents(restored) == (final_rows, final_audit)
    # A store that holds screenings is not overwritten without --replace.
    refused = db("restore", str(tmp_path / "during.sqlite3"), "--url", restored)
    assert refused.returncode == 2 and "--replace" in refused.stderr


def test_backup_of_postgresql_is_refused_with_the_pg_dump_recipe():
    done = db("backup", "/tmp/never.sqlite3", "--url", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    assert done.returncode == 2
    assert "pg_dump" in done.stderr
