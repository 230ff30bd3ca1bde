"""Make an erasure reach the disk: a SQLite file's deleted pages leave its write-ahead log too.

    checkpoint = Checkpoint(engine)
    checkpoint.settle()      "erased", "pending" (finished in the background) or "unverified" (PostgreSQL)

A SQLite store deletes with secure_delete on: the b-tree pages that held the
rows are written again zeroed. But they are written to the WAL first, and the
WAL still holds the pages as they were before, and so does the main file
until a checkpoint copies the new ones over. A checkpoint that a reader
stops (a read transaction open elsewhere: a long report, a backup, a sqlite3
shell) copies what it can and leaves the rest, and PRAGMA wal_checkpoint
says so (busy=1, or fewer frames checkpointed than in the log). So `settle`
runs a TRUNCATE checkpoint (it waits for readers only PROBE_WAIT each time)
and tries again for up to SETTLE_SECONDS; if a reader still holds it, the
answer is "pending" and a background thread of this process keeps trying
every RETRY_SECONDS until a checkpoint completes (the WAL truncated to zero
bytes, every page in the main file current). A process that stops first
leaves it to the next checkpoint: SQLite's own automatic one, or the next
erasure's.

PostgreSQL marks the deleted row versions dead; no query reads them, but
their bytes stay in the table's files until VACUUM lets the space be reused
(and overwritten by later rows), in the server's WAL until it is recycled,
and in every backup and WAL archive: "unverified". docs/operating.md says
what the operator does about it.
"""

import logging
import threading
import time

from sqlalchemy.engine import Engine

SETTLE_SECONDS = 1.0  # how long an erasure's answer waits for readers to let the checkpoint complete
RETRY_SECONDS = 1.0  # how often the background checkpoint tries again
PROBE_WAIT_MS = 100  # each checkpoint's wait for readers and writers (the store's own busy timeout is 30 s)
ERASED, PENDING, UNVERIFIED = "erased", "pending", "unverified"
log = logging.getLogger("soleus")


class Checkpoint:
    """A store's checkpoints after erasures; safe to share between threads."""

    def __init__(self, engine: Engine, busy_timeout_ms: int):
        self.engine = engine
        self._busy_timeout_ms = busy_timeout_ms
        self._mutex = threading.Lock()
        self._background: threading.Thread | None = None

    @property
    def pending(self) -> bool:
        """Whether a background checkpoint is still trying (an erasure not yet off the disk)."""
        background = self._background
        return background is not None and background.is_alive()

    def settle(self) -> str:
        """Checkpoint after an erasure: ERASED when the old pages are overwritten, PENDING (finishing in the
        background) when a reader holds them, UNVERIFIED on a database whose storage this cannot reach."""
        if self.engine.dialect.name != "sqlite":
            return UNVERIFIED
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            if self._complete():
                return ERASED
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        with self._mutex:
            if not self.pending:
                self._background = threading.Thread(target=self._finish, name="erasure-checkpoint", daemon=True)
                self._background.start()
        return PENDING

    def _finish(self) -> None:
        tries = 0
        while True:
            time.sleep(RETRY_SECONDS)
            tries += 1
            try:
                if self._complete():
                    log.warning("erasure: the checkpoint completed in the background after %d tries", tries)
                    return
            except Exception as error:  # the store failing now: try again, as the next request would
                log.error("erasure: the background checkpoint failed: %s", type(error).__name__)

    def _complete(self) -> bool:
        """One TRUNCATE checkpoint, waiting PROBE_WAIT_MS at most; whether it completed."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={PROBE_WAIT_MS}")
            try:
                busy, frames, copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        return busy == 0 and frames == copied
