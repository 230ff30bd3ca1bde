"""Store a roster run in the runner history: `soleus-screen roster --store`.

    storing = RosterStore(store, url, team="club-a")
    screen_roster("roster.csv", "out/", storing=storing)   # storing.stored: rows committed

Each chunk is screened where it always is (this process or a local worker
process, `screen_stored_chunk`): every runner with their earlier stored
screenings (so the history rules run and the result has its `history` section
and `"stored": true`), the rows to store made there. This process then commits
each chunk's rows in one transaction, in roster order, before it writes
the chunk's lines: a batch is stored whole or not at all, and a run that
fails says exactly which rows were stored. A worker process opens the store
itself (a SQLite file in WAL mode or PostgreSQL: readers never wait for the
writer). A runner's history is what was stored before this run: the run's own
rows (a runner on two rows, or in a chunk committed earlier) never count,
so the results do not depend on how the roster was cut or on the workers. A
row that gives its own `screened_at` reads what was stored before the earlier
of that time and the run's; if the same runner is on two such rows of one
run, dated before the run, the later row may see the earlier one only when
the earlier one's chunk was committed first (the report flags the
repeated id).

A rerun of a run (the same roster, the same `--screened-at`: the same
screening ids) resumes it: the rows the earlier run stored are not stored
again (`resumed` counts them), the rest are; a row stored with another intake
stops the run (the roster changed: not the same run).

Each stored row has its audit entry (action "screen", the operating-system
user as the actor, kind "cli"), committed in the same transaction.

Not on a Dask cluster: its workers may not reach the database (the command refuses it).
"""

import getpass
from datetime import datetime
from typing import NamedTuple

import orjson
from sqlalchemy.exc import SQLAlchemyError

from screening.history import audit_trail
from screening.history.database import make_engine
from screening.history.failures import failure_reason
from screening.history.screening_row import ScreeningRow
from screening.history.store import ResumeMismatch, Store
from screening.over_time.series import RunnerHistory
from screening.roster.worker.task import ChunkOutput, ChunkTask, screen_chunk
from screening.timestamps import naive_utc, parse_time


class StoredChunkTask(NamedTuple):
    chunk: ChunkTask
    url: str  # the database, opened by the process that screens the chunk
    team: str


class StoredChunk(NamedTuple):
    chunk: ChunkOutput
    rows: list[dict]  # the chunk's rows (ScreeningRow.row()), in roster order, to commit in one transaction
    first_row: int | None  # its first and last roster row (None: no runner screened)
    last_row: int | None


class StoreFailed(Exception):
    """A batch could not be stored: the run stops; `stored` rows (through roster row `through`) are committed."""

    def __init__(
        self, error: SQLAlchemyError | ResumeMismatch, stored: int, through: int | None, failed_from: int | None
    ):
        self.stored, self.through, self.failed_from = stored, through, failed_from
        super().__init__(failure_reason(error))


_stores: dict[str, Store] = {}  # one per database per process: a worker screens many chunks


def _store(url: str) -> Store:
    if url not in _stores:
        _stores[url] = Store(make_engine(url))  # the command has checked (or upgraded) its schema
    return _stores[url]


def screen_stored_chunk(task: StoredChunkTask) -> StoredChunk:
    """Screen a chunk with each runner's stored history, and make the rows that store it."""
    store = _store(task.url)
    run_time = parse_time(task.chunk.stamp.screened_at)
    rows: list[dict] = []

    def history_of(runner_id: str, visit: datetime | None) -> RunnerHistory:
        # What was stored before this run (and before the row's own visit, when it says one).
        return store.history(task.team, runner_id, before=min(run_time, naive_utc(visit)) if visit else run_time)

    def keep(intake: dict, result: dict) -> None:
        # Claimed before the lines are rendered; no file is published unless this row's batch is committed.
        rows.append(ScreeningRow.to_store(intake, result, task.team)[0].row())

    chunk = screen_chunk(task.chunk, history_of=history_of, keep=keep)
    screened = orjson.loads(chunk.ids.text)[0] if rows else []  # the screened rows' roster numbers, in order
    return StoredChunk(chunk, rows, screened[0] if screened else None, screened[-1] if screened else None)


class RosterStore:
    """The history store a roster run writes to, and what it has committed so far."""

    def __init__(self, store: Store, url: str, team: str = "", actor: str | None = None):
        self.store, self.url, self.team = store, url, team
        self.actor = actor or _os_user()
        _stores.setdefault(url, store)  # chunks screened in this process read through the same store
        self.stored = 0  # rows committed
        self.resumed = 0  # rows an earlier run of the same roster (same screened_at) had stored: not stored again
        self.through: int | None = None  # the last roster row committed
        self.screened_at: str | None = None  # the run's time: the same --screened-at resumes it

    def _entry(self, row: dict) -> dict:
        return audit_trail.entry(
            "screen",
            actor=self.actor,
            actor_kind="cli",
            outcome="ok",
            team=self.team or None,
            runner_id=row["runner_id"],
            screening_id=row["screening_id"],
        )

    def task(self, chunk: ChunkTask) -> StoredChunkTask:
        self.screened_at = chunk.stamp.screened_at
        return StoredChunkTask(chunk, self.url, self.team)

    def commit(self, stored: StoredChunk) -> ChunkOutput:
        """Store a chunk's rows in one transaction (all or none); raise StoreFailed if it cannot."""
        if stored.rows:
            try:
                added = self.store.add_many(stored.rows, audit=[self._entry(row) for row in stored.rows], resume=True)
            except (SQLAlchemyError, ResumeMismatch) as error:
                raise StoreFailed(error, self.stored, self.through, stored.first_row) from error
            self.stored += added
            self.resumed += len(stored.rows) - added
            self.through = stored.last_row
        return stored.chunk


def _os_user() -> str:
    """The operating-system user running the command, as the audit trail names them."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name for this uid (a container)
        import os

        return f"os:uid-{os.getuid()}"
