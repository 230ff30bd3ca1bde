"""Group commit: the screenings that arrive together are committed in one transaction.

A SQLite file at synchronous=FULL (and a PostgreSQL server) flushes its log to
disk at every commit; that flush, not the insert, is what a write costs. So
the rows that arrive while a commit runs wait, and are then committed
together: each request still waits until its own row is committed (or learns
it was not), but N concurrent requests pay for one flush instead of N. If a
batch fails, each of its rows is tried again alone, so one bad row fails only
its own request.

There is no writer thread: the request that finds no commit running commits
itself, as the leader, and takes with it every row waiting when it starts;
the requests that came meanwhile wait, and when the leader is done it wakes
them, and gives the lead to the first row still waiting, if any. A request
that leads is never handed to another thread and back; one that follows is
woken once. On a loaded machine each hand-over waits for the scheduler, and
a writer thread cost every request two (measured in scripts/bench_store.py).

A SQLite file has one write lock for all processes, and the service runs
several (gunicorn workers), each with its own leader. SQLite's own wait for
that lock (busy_timeout) sleeps and polls, 1, 2, 5, 10 ms and longer, so a
leader that found the lock taken slept on after it was free, with the
requests of its process waiting for it. The leaders therefore take turns on
a `ProcessLock`, an flock(2) on a file beside the database: a waiting leader
blocks in the kernel and wakes the moment the other one has committed. It
takes its batch only once it holds the lock, so the rows that came in while
it waited are in it.
"""

import errno
import fcntl
import os
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

# Rows one transaction takes at most (a full batch commits at once; the rest wait for the next).
MAX_BATCH = 64


class LockUnavailable(SQLAlchemyError):
    """The writers' lock file cannot be opened (a read-only file system, no permission): a store failure like
    any the database raises (answered 503, nothing stored), not a crash. `orig` is the OSError."""

    def __init__(self, error: OSError):
        super().__init__(f"the writers' lock file cannot be opened: {error.strerror}")
        self.orig = error


# Why a file cannot be opened for writing, where it may still be opened to read (flock needs no write access).
_NOT_WRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}


class ProcessLock:
    """An exclusive flock on `path` (created if missing): one holder among all processes at a time.

    The file is opened in each process on first use: a descriptor inherited
    across a fork would share its lock with the parent's, and exclude nothing.
    It holds no data; flock locks are independent of SQLite's own fcntl locks.
    Within a process only one thread takes it at a time (GroupCommit's leader).
    On a read-only file system (or a file this user may not write) it is opened
    to read, which flock allows: the database then refuses the write in its own
    words (SQLITE_READONLY); a lock file that cannot be opened at all raises
    LockUnavailable.
    """

    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None
        self._pid: int | None = None

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            if error.errno not in _NOT_WRITABLE:
                raise LockUnavailable(error) from error
            try:
                return os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError as again:
                raise LockUnavailable(again) from again

    def __enter__(self) -> "ProcessLock":
        if self._pid != os.getpid():
            self._fd = self._open()
            self._pid = os.getpid()
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks without the GIL
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Let go of the file (the next use opens it again); only while no thread holds the lock."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = self._pid = None


@dataclass(eq=False)
class _Pending:
    row: Any  # what `write` takes a list of (the store: a screening's row and its audit entries)
    woken: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to commit the next batch, not because this row is done
    committed: bool = False
    error: BaseException | None = None


def _reset_in_child(commits: "weakref.ref[GroupCommit]") -> None:
    if (alive := commits()) is not None:
        alive._reset()


class GroupCommit:
    """Call `add(row)` from any thread; it returns once the row is committed, or raises why it was not.

    `write(rows)` stores rows in one transaction (all or none). `exclusive`, if
    given, is held around taking and writing each batch (a `ProcessLock`, so
    the leaders of several processes take turns). A failed batch's rows are
    tried again one by one unless `alone(error)` says that is pointless (the
    lock was busy: each would wait as long again).
    """

    def __init__(
        self,
        write: Callable[[list[Any]], None],
        exclusive: AbstractContextManager | None = None,
        alone: Callable[[BaseException], bool] = lambda error: True,
    ):
        self._write = write
        self._alone = alone  # whether a failed batch's rows are worth trying again one by one
        self.exclusive = exclusive
        self._exclusive = exclusive if exclusive is not None else nullcontext()
        self._reset()
        # A forked child (gunicorn preloads, then forks workers) starts with no commit running.
        os.register_at_fork(after_in_child=partial(_reset_in_child, weakref.ref(self)))

    def _reset(self) -> None:
        self._mutex = threading.Lock()  # guards _waiting and _leading
        self._waiting: list[_Pending] = []
        self._leading = False

    def add(self, row: Any) -> None:
        pending = _Pending(row)
        with self._mutex:
            self._waiting.append(pending)
            lead = not self._leading
            self._leading = True
        if not lead:
            pending.woken.wait()
            lead = pending.lead
        if lead:
            self._lead()
        if pending.error is not None:
            raise pending.error

    def _lead(self) -> None:
        """Commit the rows waiting now (this thread's own among them), then wake them and pass the lead on."""
        batch: list[_Pending] = []
        try:
            with self._exclusive:
                with self._mutex:
                    batch = self._waiting[:MAX_BATCH]
                    del self._waiting[:MAX_BATCH]
                self._commit(batch)
        except BaseException as error:  # taking or giving back the lock failed
            for pending in batch:
                if not pending.committed and pending.error is None:
                    pending.error = error
            if not batch:  # the lock failed before the batch was taken: the waiting rows fail with it
                with self._mutex:
                    batch = self._waiting[:MAX_BATCH]
                    del self._waiting[:MAX_BATCH]
                for pending in batch:
                    pending.error = error
        finally:
            with self._mutex:
                following = self._waiting[0] if self._waiting else None
                if following is None:
                    self._leading = False
            # Woken once the lock is free again: the other process's leader need not wait for this.
            for pending in batch:
                pending.woken.set()
            if following is not None:
                following.lead = True
                following.woken.set()

    def _commit(self, batch: list[_Pending]) -> None:
        """Write the batch, or each of its rows alone if it fails; a row that fails alone keeps its error."""
        try:
            self._write([pending.row for pending in batch])
        except BaseException as error:
            if len(batch) == 1 or not self._alone(error):
                for pending in batch:
                    pending.error = error
            else:
                for pending in batch:
                    self._commit([pending])
            return
        for pending in batch:
            pending.committed = True
