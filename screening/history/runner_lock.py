"""One runner's screenings are stored one after another: each names the one stored just before it.

    with runner_lock(team, runner_id):
        earlier = store.history(team, runner_id)   # read, screen and store under the lock
        ...
        store.add(row)

Screening a runner reads the runner's history, then stores the new screening;
two at once would both read the same `previous` and fork the history (16 at
once named 3 distinct ones). So the read, the screening and the write hold a
lock on the runner:

- SQLite file: a per-process thread lock, then a POSIX record lock (fcntl)
  on one byte of a file beside the database (`-runners.lock`), so the workers
  of every process on the file take turns too. Runners are spread over
  STRIPES locks by a hash: two runners that share one wait for each other,
  never for anyone else.
- PostgreSQL: a session advisory lock (pg_advisory_lock) on the runner's hash,
  held on a connection of its own until the screening is committed; every
  replica on the server takes turns on it.
- Anything else (an in-memory SQLite): the thread lock only.

The lock is held for one screening (milliseconds): other runners never wait.
"""

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine

STRIPES = 4096


def _hash(team: str, runner_id: str) -> int:
    digest = hashlib.sha256(f"{team}\0{runner_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RunnerLocks:
    def __init__(self, engine: Engine, path: str | None):
        self.engine = engine
        self.path = path
        self._threads = [threading.Lock() for _ in range(STRIPES)]
        self._fd: int | None = None
        self._pid: int | None = None
        self._opening = threading.Lock()

    @contextmanager
    def hold(self, team: str, runner_id: str) -> Iterator[None]:
        key = _hash(team, runner_id)
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
            return
        stripe = key % STRIPES
        with self._threads[stripe]:
            fd = self._file()
            if fd is None:
                yield
                return
            fcntl.lockf(fd, fcntl.LOCK_EX, 1, stripe)  # blocks without the GIL
            try:
                yield
            finally:
                fcntl.lockf(fd, fcntl.LOCK_UN, 1, stripe)

    def close(self) -> None:
        """Let go of the lock file (the next screening opens it again); only while no screening holds it."""
        with self._opening:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = self._pid = None

    def _file(self) -> int | None:
        """This process's descriptor of the lock file (opened once per process: POSIX locks are per process)."""
        if self.path is None:
            return None
        with self._opening:
            if self._pid != os.getpid():
                try:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                except OSError:  # a read-only file system: nothing can be stored, so nothing can fork either
                    self._fd = None
                self._pid = os.getpid()
            return self._fd
