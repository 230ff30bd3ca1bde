"""Copy a SQLite store to a file while the service writes, and put such a copy back.

    backup(engine, "/backups/soleus-2026-12-08.sqlite3")   # a consistent copy, under write load
    restore("/backups/soleus-2026-12-08.sqlite3", engine)   # the store becomes that copy

Both use SQLite's online backup API (sqlite3.Connection.backup) in one step:
the copy is the database as one read transaction saw it, so it is
consistent whatever the writers do meanwhile, and in WAL mode they are not
held up (a reader never waits for the writer, nor the writer for it). The
copy is written beside the target as `.partial` and renamed into place once
whole and checked (PRAGMA quick_check), so a backup that fails or is
interrupted leaves no file that looks like one. A restore writes into the
store's own file through SQLite (holding its write lock meanwhile), so
connections open on it see the restored data at their next transaction.
PostgreSQL is backed up with pg_dump and pg_restore (docs/operating.md).
"""

import os
import sqlite3

from sqlalchemy.engine import Engine


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        raise BackupError(
            "`db backup` and `db restore` copy a SQLite file; back PostgreSQL up with pg_dump and put it back "
            "with pg_restore (docs/operating.md)"
        )
    return database


def _checked(connection: sqlite3.Connection, what: str) -> None:
    verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{what} is damaged: {verdict}")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"screenings", "alembic_version"} <= tables:
        raise BackupError(f"{what} is not a soleus-screen database (it has no screenings table)")


def backup(engine: Engine, target: str) -> int:
    """Copy the store to `target` (replaced if there); how many screenings the copy holds."""
    source_path = _sqlite_path(engine)
    partial = f"{target}.partial"
    if os.path.exists(partial):
        os.remove(partial)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # one step: one read transaction, a consistent copy
        _checked(copy, "the copy")
        count = copy.execute("SELECT count(*) FROM screenings").fetchone()[0]
    except BaseException:
        copy.close()
        os.remove(partial)
        raise
    finally:
        source.close()
    copy.close()
    os.replace(partial, target)
    return count


def restore(backup_file: str, engine: Engine) -> int:
    """Make the store what `backup_file` holds; how many screenings it has now."""
    target_path = _sqlite_path(engine)
    if not os.path.exists(backup_file):
        raise BackupError(f"no such backup file: {backup_file}")
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        _checked(source, f"the backup {backup_file}")
        store = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(store)
            store.execute("PRAGMA journal_mode=WAL")
            return store.execute("SELECT count(*) FROM screenings").fetchone()[0]
        finally:
            store.close()
    finally:
        source.close()
