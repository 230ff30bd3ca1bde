"""Group commit: the screenings that arrive together are committed in one transaction.

A SQLite file at synchronous=FULL (and a PostgreSQL server) flushes its log to
disk at every commit; that flush, not the insert, is what a write costs. One
writer thread per process takes every row waiting when it is free and
commits them in one transaction: each request still waits until its own row is
committed (or learns it was not), but N concurrent requests pay for one flush
instead of N. If a batch fails, each of its rows is tried again alone, so
one bad row fails only its own request.
"""

import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

# Rows one transaction takes at most (a full batch commits at once; the rest wait for the next).
MAX_BATCH = 64


@dataclass
class _Pending:
    row: dict
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    """Call `add(row)` from any thread; it returns once the row is committed, or raises why it was not."""

    def __init__(self, write: Callable[[list[dict]], None]):
        self._write = write
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None

    def add(self, row: dict) -> None:
        self._ensure_writer()
        pending = _Pending(row)
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def _ensure_writer(self) -> None:
        # Threads do not survive a fork (gunicorn preloads, then forks workers): one writer per process.
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, name="soleus-history-writer", daemon=True).start()
                self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            self._write([pending.row for pending in batch])
        except BaseException as error:
            if len(batch) == 1:
                batch[0].error = error
            else:
                for pending in batch:
                    self._commit([pending])
                return
        for pending in batch:
            pending.done.set()
