"""The database: its engines (SQLite files in WAL mode with their PRAGMAs, PostgreSQL with a connect timeout,
the connection pool both keep) and the lock file beside a SQLite file.

What the `db` and `roster` commands need to reach a database without the
store (screening/history/store.py opens its engines here too); a failure is
said with failures.failure_reason.
"""

import os

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

# How long a SQLite writer waits for another process's write before giving up (ms): the commands' default;
# the service's is STORE_WRITE_WAIT (api/store.py), shorter, so a write held by another process (a backup, a
# long prune, a sqlite3 shell) is a 503 soon instead of holding a thread.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long an audit entry alone (a read's, a refusal's) waits for the write lock (ms): then its read is a 503.
AUDIT_WAIT_MS = 500
# A SQLite file's `PRAGMA synchronous` (config key SQLITE_SYNCHRONOUS), both safe against a killed server:
# FULL   a commit returns once the WAL is flushed to disk: a power cut or OS crash loses no answered screening.
# NORMAL a commit returns once the WAL is written (the OS has it); it is flushed at checkpoints. A killed
#        process loses nothing, but a power cut or OS crash may roll back the last commits before the
#        flush: screenings answered `"stored": true` can be lost (the file stays consistent). It saves a
#        flush per commit. OFF (no flush even at checkpoints, a crash may corrupt the file) is not offered.
SYNCHRONOUS = ("FULL", "NORMAL")
# The connection pool keeps every connection it opened (pool_size 0: no limit), newest used first. A request
# holds one connection at a time, so a process opens at most one per thread (gunicorn's --threads); a pool
# kept smaller (SQLAlchemy's default keeps 5) closed the others as they came back and opened them again,
# which costs a SQLite file its PRAGMAs and a parse of the schema, a PostgreSQL server a login: with 8
# threads in one process that was 257 connections opened for 1,650 POSTs (7 with this pool).
POOL = {"pool_size": 0, "pool_use_lifo": True}
# Seconds a PostgreSQL connection may take to open (libpq waits for the OS's TCP timeout otherwise, minutes,
# with the request's thread held): a server that does not answer is a store failure soon.
CONNECT_TIMEOUT = 5


def _sqlite_pragmas(synchronous: str, busy_timeout_ms: int):
    def on_connect(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        # A deleted row's bytes are overwritten with zeros, not left in free pages (erasure erases).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


def make_engine(
    url: str, *, synchronous: str = "FULL", autocommit: bool = False, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> Engine:
    """An engine on `url`; SQLite files get WAL, `synchronous` (FULL or NORMAL) and a busy timeout.

    `autocommit`: every statement is its own transaction (the group commit's
    writes, Store.add_together), set once per connection, not per use.
    """
    mode = str(synchronous).strip().upper()
    if mode not in SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS)}, not {synchronous!r}")
    options: dict = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.startswith("postgresql") and "connect_timeout" not in url:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"), **POOL, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(mode, busy_timeout_ms))
    # A forked worker (gunicorn preloads the app) must not share the parent's pooled connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def writer_lock_path(engine: Engine) -> str | None:
    """The file the writers of a SQLite database take turns on (beside it, `-writer.lock`); None otherwise."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}-writer.lock"
