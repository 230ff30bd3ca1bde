"""The runner history store: every screening kept with what was given and what was answered.

    store = Store.open("sqlite:///instance/soleus.sqlite3")      # or postgresql+psycopg://user@host/db
    row, body = ScreeningRow.to_store(intake, result, team="club-a")
    store.add(row, audit=entry)                                   # committed when it returns
    store.record(entry)                                           # an audit entry alone (a read, a refusal)
    store.result("9f3c...", team="club-a")                        # the JSON text exactly as sent

One code path for SQLite and PostgreSQL (SQLAlchemy Core). A SQLite file runs
in WAL mode, by default with synchronous=FULL: a write that returned is on
disk, so neither a killed server nor a power cut loses anything it answered;
readers never wait for the writer. `synchronous="NORMAL"` is the documented
alternative (see database.SYNCHRONOUS).
Each write is one transaction: a row is there whole or not at all; rows that
arrive together share one (group_commit.py), so they share one flush. A
screening's audit entry (screening/history/audit_trail.py) is in the same
transaction as the screening: a write that fails leaves neither.

The store is the repository only: its engines come from database.py, its
rows from screening_row.py, every statement it runs from queries.py, and
what it reads is made into the over-time domain's objects by reads.py.
"""

import functools
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from screening.history import migrate, queries
from screening.history.database import AUDIT_WAIT_MS, SQLITE_BUSY_TIMEOUT_MS, make_engine, writer_lock_path
from screening.history.erasure import ERASED, PENDING, UNVERIFIED, Checkpoint
from screening.history.failures import BUSY, StoreBusy, describe
from screening.history.group_commit import GroupCommit, ProcessLock
from screening.history.queries import HISTORY_ROWS, NO_LATER_THAN, RECENT, TEAM_RUNNERS, TREND
from screening.history.reads import runner_history, team_runners_of
from screening.history.runner_lock import RunnerLocks
from screening.history.screening_row import ScreeningRow
from screening.history.store_health import StoreHealth
from screening.history.tables import audit_events, screenings
from screening.over_time.series import RunnerHistory
from screening.over_time.team_view import TeamRunner

Page = tuple[list | None, str | None]
# What the group commit writes for one request: its screening's row (None for an audit entry alone) and the
# audit entries that go with it.
Write = tuple[dict | None, list[dict]]


class ResumeMismatch(Exception):
    """A resumed roster run's row is stored already with another intake: it is not the same run."""


class Store:
    """Reads and writes stored screenings; one per process, safe to share between threads."""

    def __init__(self, engine: Engine, *, synchronous: str = "FULL", busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS):
        self.engine = engine
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self.health = StoreHealth(engine)
        self.on_commit: Callable[[float, int], None] | None = None  # told each batch's seconds and size (metrics)
        self.checkpoint = Checkpoint(engine, busy_timeout_ms)
        lock = writer_lock_path(engine)
        self.runners = RunnerLocks(engine, lock.removesuffix("-writer.lock") + "-runners.lock" if lock else None)
        self._writer = GroupCommit(
            self.add_together, ProcessLock(lock) if lock else None, alone=lambda error: describe(error).code not in BUSY
        )
        # Audit entries alone (a read's, a refusal's) commit apart, waiting AUDIT_WAIT_MS at most for the write
        # lock: a read is never queued behind a screening that waits for another process's writer.
        self._trail = GroupCommit(self._add_entries, alone=lambda error: describe(error).code not in BUSY)

    @classmethod
    def open(
        cls, url: str, *, upgrade: bool, synchronous: str = "FULL", busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
    ) -> "Store":
        """Open the database at `url`; `upgrade` migrates it to the newest schema, else it must be there.

        `synchronous` is a SQLite file's flush setting (database.SYNCHRONOUS), `busy_timeout_ms` how long its writes
        wait for another process's; other databases ignore both.
        """
        engine = make_engine(url, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms)
        if upgrade:
            migrate.upgrade(engine)
        else:
            migrate.require_current(engine, engine.url.render_as_string(hide_password=True))
        return cls(engine, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms)

    @functools.cached_property
    def _writes(self) -> Engine:
        """The group commit's own engine on the same database, each statement its own transaction (made on
        the first add_together: a store that only reads, or a roster's, which uses add_many, never needs it)."""
        url = self.engine.url.render_as_string(hide_password=False)
        return make_engine(url, synchronous=self._synchronous, autocommit=True, busy_timeout_ms=self._busy_timeout_ms)

    def close(self) -> None:
        """Let go of the database's files and connections (the pools, the writers' lock); the next use opens
        them again. For a process that stops, or a test that changes the file system under the store."""
        self.engine.dispose()
        for engine in ("_writes", "_entries"):
            if engine in self.__dict__:
                self.__dict__[engine].dispose()
        if isinstance(self._writer.exclusive, ProcessLock):
            self._writer.exclusive.close()
        self.runners.close()

    def add(self, screening: ScreeningRow, audit: dict | None = None) -> None:
        """Store one screening (and its audit entry, in the same transaction); when this returns it is
        committed (with those that came at the same time)."""
        self._write((screening.row(), [audit] if audit else []))

    def record(self, audit: dict) -> None:
        """Append one audit entry (a read or a refusal, which write nothing else); committed when it returns,
        or raises after AUDIT_WAIT_MS when another process holds the write lock."""
        if (busy := self.health.busy()) is not None:
            raise StoreBusy(busy)
        self._trail.add((None, [audit]))

    @functools.cached_property
    def _entries(self) -> Engine:
        """The audit entries' own autocommit engine, with the short wait for the write lock."""
        url = self.engine.url.render_as_string(hide_password=False)
        wait = min(AUDIT_WAIT_MS, self._busy_timeout_ms)
        return make_engine(url, synchronous=self._synchronous, autocommit=True, busy_timeout_ms=wait)

    def _add_entries(self, writes: list[Write]) -> None:
        entries = [entry for _, batch in writes for entry in batch]
        self._observed(writes, lambda: self._insert_alone(self._entries, audit_events, entries))

    def _write(self, write: Write) -> None:
        if (busy := self.health.busy()) is not None:  # it would wait as long in vain, holding a thread
            raise StoreBusy(busy)
        self._writer.add(write)

    def record_many(self, audit: list[dict]) -> None:
        """Append audit entries in one transaction (a batch's screened runners); committed when it returns."""
        with self.engine.begin() as connection:
            connection.execute(queries.INSERT_AUDIT, audit)

    def add_many(self, rows: list[dict], audit: list[dict] | None = None, *, resume: bool = False) -> int:
        """Store these rows (and their audit entries) in one transaction: all or none (a roster's partition);
        how many were stored.

        `resume`: a row whose screening id is already stored with the same intake (the same row of an earlier
        run of the same roster, same screened_at: its id is a hash of those) is not stored again, nor its
        audit entry; one stored with another intake raises ResumeMismatch (not the same run) and stores none.
        """
        with self.engine.begin() as connection:
            if resume and rows:
                ids = [row["screening_id"] for row in rows]
                stored = dict(connection.execute(queries.stored_intakes(ids)).all())
                if any(stored[row["screening_id"]] != row["intake"] for row in rows if row["screening_id"] in stored):
                    raise ResumeMismatch("a row of this run is stored with another intake: the roster changed")
                rows = [row for row in rows if row["screening_id"] not in stored]
                audit = [entry for entry in audit or [] if entry.get("screening_id") not in stored]
            if rows:
                connection.execute(queries.INSERT, rows)
            if audit:
                connection.execute(queries.INSERT_AUDIT, audit)
        return len(rows)

    def add_together(self, writes: list[Write]) -> None:
        """Store a group commit's batch (_add_together); its outcome is what /ready and the next writes see: a
        batch that found the lock held fails the rows still waiting at once (store_health.py)."""
        self._observed(writes, lambda: self._add_together(writes))

    def _observed(self, writes: list[Write], write: Callable[[], None]) -> None:
        """Run a batch's `write`; tell /ready (health) its outcome and the metrics its time and size."""
        if (busy := self.health.busy()) is not None:
            raise StoreBusy(busy)
        started = time.perf_counter()
        try:
            write()
        except Exception as error:
            self.health.wrote(error)
            raise
        self.health.wrote(None)
        if self.on_commit is not None:
            self.on_commit(time.perf_counter() - started, len(writes))

    @staticmethod
    def _insert_alone(engine: Engine, table: Table, rows: list[dict]) -> None:
        """One INSERT of `rows` on an autocommit engine: atomic, with one call into the database."""
        with engine.connect() as connection:
            connection.execute(queries.insert_of(table, len(rows)), queries.values_of(rows))

    def _add_together(self, writes: list[Write]) -> None:
        """Store a few requests' rows (a group commit's batch): all or none, committed on their own.

        Screenings alone, or audit entries alone, are one INSERT statement on
        the autocommit engine: atomic as a transaction is (on SQLite and on
        PostgreSQL), with one call into the database instead of a BEGIN, one per
        row and a COMMIT. Python's sqlite3 lets go of the GIL around each of
        those, and taking it back from a busy thread costs CPU (measured here with
        one thread spinning beside a trivial query: 0.04-0.28 ms a let-go).
        Screenings with their audit entries are two INSERTs in one transaction.
        """
        rows = [row for row, _ in writes if row is not None]
        audit = [entry for _, entries in writes for entry in entries]
        if rows and audit:
            with self.engine.begin() as connection:
                connection.execute(queries.insert_of(screenings, len(rows)), queries.values_of(rows))
                connection.execute(queries.insert_of(audit_events, len(audit)), queries.values_of(audit))
            return
        table, chosen = (screenings, rows) if rows else (audit_events, audit)
        if chosen:
            self._insert_alone(self._writes, table, chosen)

    def result(self, screening_id: str, team: str | Collection[str] | None = None) -> str | None:
        """The stored result's JSON text, exactly as it was sent; with `team` (one, or several), only if it is
        that team's (else None, as for an unknown id: the filter is in the query). The faces give it."""
        found = self.found(screening_id, team)
        return None if found is None else found[0]

    def found(self, screening_id: str, team: str | Collection[str] | None = None) -> tuple[str, str] | None:
        """The stored result's JSON text and its runner id (for the audit trail), as `result` finds it."""
        with self.engine.connect() as connection:
            row = connection.execute(queries.found(screening_id, team)).first()
        return None if row is None else (row.result, row.runner_id)

    def history(
        self, team: str, runner_id: str, *, before: datetime | None = None, limit: int = HISTORY_ROWS
    ) -> RunnerHistory:
        """The runner's newest `limit` stored screenings (newest first), read before every stored screening.

        `before` (naive UTC): only screenings stored at an earlier time (a roster run reads what was there
        before it began, never its own rows).
        """
        bound = {"team": team, "runner_id": runner_id, "limit": limit, "before": before or NO_LATER_THAN}
        with self.engine.connect() as connection:
            # first(), not one(): one() steps the statement again to see there is no second row.
            row = connection.execute(RECENT, bound).first()
        return runner_history(row)

    def latest_intake(self, team: str, runner_id: str) -> tuple[str, datetime] | None:
        """The validated intake (JSON text) of the runner's newest stored screening, and when it was screened."""
        with self.engine.connect() as connection:
            row = connection.execute(queries.latest_intake(team, runner_id)).first()
        return None if row is None else (row.intake, row.screened_at)

    def page(self, team: str, runner_id: str, *, limit: int, after: str | None = None) -> Page:
        """One page of a runner's screenings, newest first, and the id to continue `after` (None: last page).

        `after` is the screening the previous page ended with; a page of None
        says it is no screening of this runner.
        """
        with self.engine.connect() as connection:
            since = None
            if after is not None:
                moment = connection.scalar(queries.moment_of(after, team, runner_id))
                if moment is None:
                    return None, None
                since = (moment, after)
            rows = list(connection.execute(queries.page_of(team, runner_id, rows=limit + 1, after=since)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, rows[-1].screening_id if more else None

    def trend(self, team: str, runner_id: str, *, limit: int) -> list:
        """A runner's latest `limit` screenings' trend points, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(TREND, {"team": team, "runner_id": runner_id, "limit": limit}).all()
        return list(reversed(rows))

    def team_runners(self, team: str) -> list[TeamRunner]:
        """Every runner of the team with their latest screening: one read of team_runners by its primary key."""
        with self.engine.connect() as connection:
            return team_runners_of(connection.execute(TEAM_RUNNERS, {"team": team}))

    def erase(self, team: str, runner_id: str, audit: dict | None = None) -> int:
        """Delete every screening of this runner (really deleted, no tombstone); how many there were.

        On SQLite the deleted bytes are zeroed (secure_delete) and the WAL,
        which still holds the pages as they were, is checkpointed and
        truncated, retried while a reader holds it and then finished in the
        background (erasure.py; `on_disk` says which). PostgreSQL keeps the
        dead row versions' bytes until (auto)vacuum reuses the space; no
        query can read them meanwhile. The audit
        trail keeps its entries about the runner (`audit`: the erasure's own).
        """
        with self.engine.begin() as connection:
            erased = connection.execute(queries.erase_runner(team, runner_id)).rowcount
            if audit:  # the entry saying it happened, in the same transaction
                connection.execute(queries.INSERT_AUDIT, [audit])
        if erased:
            self.checkpoint.settle()
        return erased

    def on_disk(self) -> str:
        """Whether what was erased is off the disk too: ERASED (SQLite: overwritten, the WAL truncated),
        PENDING (a reader holds the old pages; a background checkpoint finishes it) or UNVERIFIED
        (PostgreSQL: dead row versions stay in its files until VACUUM reuses the space; erasure.py)."""
        if self.engine.dialect.name != "sqlite":
            return UNVERIFIED
        return PENDING if self.checkpoint.pending else ERASED

    def delete_screening(self, team: str, screening_id: str, audit: dict | None = None) -> str | None:
        """Delete one stored screening of this team (really deleted, as erase does); its runner id, or None when
        the team has no such screening. Later reads of the runner (baselines, the soreness chain, merged
        weeks, the facts on record) no longer see it; results already sent keep what they said. `audit`:
        the removal's own entry, committed with it (its runner id filled in), only when one was removed."""
        with self.engine.begin() as connection:
            runner_id = connection.scalar(queries.delete_screening(team, screening_id))
            if audit and runner_id is not None:
                connection.execute(queries.INSERT_AUDIT, [{**audit, "runner_id": runner_id}])
        if runner_id is not None:
            self.checkpoint.settle()
        return runner_id

    def prune(self, days: int, *, now: datetime | None = None) -> int:
        """Delete every screening older than `days` days; how many there were."""
        cutoff = (now or datetime.now(UTC).replace(tzinfo=None)) - timedelta(days=days)
        with self.engine.begin() as connection:
            return connection.execute(queries.older_than(cutoff)).rowcount

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(queries.COUNT) or 0
