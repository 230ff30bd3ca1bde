"""Can the store be reached and written? Asked by /ready; cheap, cached, and it recovers by itself.

    health = StoreHealth(engine)
    health.status()          None (writable), or a Failure: why not, in the database's own words
    health.wrote(error)      a real write's outcome (None: it was committed), remembered a while

A probe looks at the database at most once every TTL seconds per process;
the requests meanwhile get its last answer, and a probe that is slow (a
server that does not answer) holds only the request that runs it. What it
looks at:

- SQLite: the free space of the file system the database is on (below
  MIN_FREE_BYTES a commit soon fails: SQLITE_FULL), and whether the write lock
  can be taken at once-ish (BEGIN IMMEDIATE, waiting at most PROBE_WAIT:
  another process holding it, a read-only file or file system); nothing is
  written.
- PostgreSQL: a connection and a query (a refused or dropped connection, a
  database not accepting connections) and whether it takes writes (a
  standby, default_transaction_read_only).

A probe cannot see every failure a write meets (PostgreSQL's full disk is
met only by the insert that needs a new page), so a real write that failed
counts too: the store is not ready until a write succeeds or RECENT seconds
pass without another failure, and then the probe alone decides again.
"""

import os
import sqlite3
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from screening.history.failures import BUSY, Failure, StoreBusy, describe

TTL = 1.5  # seconds a probe's answer is given again
RECENT = 2.0  # seconds a failed real write keeps the store not ready (unless a write succeeds)
PROBE_WAIT = 0.25  # seconds the SQLite probe waits for the write lock
PG_CONNECT_TIMEOUT = 3  # seconds the PostgreSQL probe waits for a connection
MIN_FREE_BYTES = 1024 * 1024  # a SQLite store's file system with less free is full


class StoreHealth:
    """The store's readiness for one process; safe to share between threads."""

    def __init__(self, engine: Engine, clock=time.monotonic):
        self.engine = engine
        self._clock = clock
        self._probing = threading.Lock()
        self._probed: tuple[float, Failure | None] | None = None
        self._write_failed: tuple[float, Failure] | None = None

    def wrote(self, error: BaseException | None) -> None:
        """Remember a real write's outcome; a refused row (a constraint) says nothing about the store."""
        if error is None:
            self._write_failed = None
        elif not isinstance(error, IntegrityError | StoreBusy):
            self._write_failed = (self._clock(), describe(error))

    def busy(self) -> Failure | None:
        """The lock failure of a write less than RECENT seconds ago (a new write would wait in vain), or None."""
        failed = self._write_failed
        if failed is not None and failed[1].code in BUSY and self._clock() - failed[0] < RECENT:
            return failed[1]
        return None

    def status(self) -> Failure | None:
        """Why the store cannot be written now, or None when it can."""
        failed = self._write_failed
        if failed is not None and self._clock() - failed[0] < RECENT:
            return failed[1]
        probed = self._probed
        if probed is not None and self._clock() - probed[0] < TTL:
            return probed[1]
        # One thread probes; the others give the last answer meanwhile (the first ones wait for it).
        if not self._probing.acquire(blocking=probed is None):
            return probed[1] if probed is not None else None
        try:
            probed = self._probed
            if probed is None or self._clock() - probed[0] >= TTL:
                probed = (self._clock(), self._probe())
                self._probed = probed
            return probed[1]
        finally:
            self._probing.release()

    def _probe(self) -> Failure | None:
        try:
            if self.engine.dialect.name == "sqlite":
                return _probe_sqlite(self.engine.url.database)
            return _probe_server(self.engine)
        except (SQLAlchemyError, sqlite3.Error, OSError) as error:
            return describe(error)


def _probe_sqlite(path: str | None) -> Failure | None:
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    disk = os.statvfs(folder)
    free = disk.f_bavail * disk.f_frsize
    if free < MIN_FREE_BYTES:
        return Failure("SQLITE_FULL", f"the file system holding the database has {free:,} bytes free")
    connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=PROBE_WAIT, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # takes the write lock, or says why not; writes nothing
        connection.execute("ROLLBACK")
    finally:
        connection.close()
    return None


def _probe_server(engine: Engine) -> Failure | None:
    with engine.connect() as connection:
        read_only = connection.execute(text("SELECT current_setting('transaction_read_only')")).scalar()
        standby = connection.execute(text("SELECT pg_is_in_recovery()")).scalar()
        connection.rollback()
    if standby:
        return Failure("25006", "the database is a standby in recovery and takes no writes")
    if read_only == "on":
        return Failure("25006", "the database takes no writes (default_transaction_read_only is on)")
    return None
