"""The runner history store: every screening kept with what was given and what was answered.

    store = Store.open("sqlite:///instance/soleus.sqlite3")      # or postgresql+psycopg://user@host/db
    store.add(Screening.of(intake, result, body, team="club-a"), audit=entry)  # committed when it returns
    store.record(entry)                                           # an audit entry alone (a read, a refusal)
    store.result("9f3c...", team="club-a")                        # the JSON text exactly as sent

One code path for SQLite and PostgreSQL (SQLAlchemy Core). A SQLite file runs
in WAL mode, by default with synchronous=FULL: a write that returned is on
disk, so neither a killed server nor a power cut loses anything it answered;
readers never wait for the writer. `synchronous="NORMAL"` is the documented
alternative (see SYNCHRONOUS).
Each write is one transaction: a row is there whole or not at all; rows that
arrive together share one (group_commit.py), so they share one flush. A
screening's audit entry (screening/history/audit.py) is in the same
transaction as the screening: a write that fails leaves neither.
"""

import functools
import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import Table, TextClause, and_, bindparam, create_engine, delete, event, func, or_, select, text
from sqlalchemy.engine import Engine

from screening.history import migrate
from screening.history.group_commit import GroupCommit, ProcessLock
from screening.history.reads import (
    HISTORY_ROWS,
    NO_LATER_THAN,
    RECENT,
    TEAM_RUNNERS,
    TREND,
    runner_history,
    team_runners_of,
)
from screening.history.series import RunnerHistory, weeks_text
from screening.history.tables import audit_events, screenings
from screening.history.team import TeamRunner
from screening.timestamps import format_time, naive_utc, parse_time

# How long a SQLite writer waits for another process's write before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 30_000
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

Page = tuple[list | None, str | None]


@dataclass(frozen=True)
class Screening:
    """One row: the identity, the texts shown again, and the summary for queries."""

    screening_id: str
    team: str
    runner_id: str
    screened_at: datetime
    ruleset_version: str
    intake: str
    result: str
    score: int
    band: str
    urgency: str | None
    fired: list[str]
    fatigue: int | None
    soreness: int | None
    weekly_km: float | None
    ostrc_severity: int | None
    weeks: str | None
    soreness_days: int | None = None
    previous_dvt: bool | None = None  # recorded (true), said to be in error (false), neither (null)
    calf_strain_on: datetime | None = None
    calf_strain_error: bool | None = None
    runner_group: str | None = None  # the team page's columns (summary_stated)
    fatigue_z: float | None = None
    soreness_z: float | None = None
    previous_score: int | None = None
    previous_band: str | None = None
    previous_urgency: str | None = None
    programme_stage: str | None = None

    @classmethod
    def of(
        cls,
        intake: dict,
        intake_json: str,
        result: dict,
        result_json: str,
        team: str | None,
        at: datetime | None = None,
    ) -> "Screening":
        """The row for a result as built (`result`) and as sent (`result_json`, the exact text).

        `at` is when it was screened to the microsecond (the result says it to
        the second): screenings of one runner within a second keep their order.
        """
        if at is not None and format_time(at) != result["screened_at"]:
            raise ValueError(f"{at} is not the result's screened_at {result['screened_at']}")
        derived = result["derived"]
        weeks = derived["weekly_distance_km"]
        wellness = intake.get("wellness") or {}
        screened_at = naive_utc(at) if at else parse_time(result["screened_at"])
        return cls(
            screening_id=result["screening_id"],
            team=team or "",
            runner_id=result["runner_id"],
            screened_at=screened_at,
            ruleset_version=result["ruleset"]["version"],
            intake=intake_json,
            result=result_json,
            score=result["risk"]["score"],
            band=result["risk"]["band"],
            urgency=result["referral"]["urgency"],
            fired=[entry["rule"] for entry in result["explanation"] if entry["fired"]],
            fatigue=wellness.get("fatigue"),
            soreness=wellness.get("soreness"),
            weekly_km=weeks[-1] if weeks else None,
            ostrc_severity=derived.get("ostrc_o2_severity"),
            weeks=weeks_text(intake["training"]["weekly_distance"], intake["training"].get("unit", "km")),
            **facts_stated(intake, screened_at),
            **summary_stated(intake, result),
        )

    @classmethod
    def to_store(
        cls, intake: dict, result: dict, team: str | None, at: datetime | None = None
    ) -> tuple["Screening", bytes]:
        """Mark `result` stored and make its row and the exact JSON it is sent as (the row holds that text).

        The caller sends the bytes only once the row is committed.
        """
        result["stored"] = True
        body = orjson.dumps(result)
        intake_json = orjson.dumps(intake, default=str).decode()
        return cls.of(intake, intake_json, result, body.decode(), team, at=at), body

    def row(self) -> dict:
        return dict(self.__dict__)


def facts_stated(intake: dict, screened_at: datetime) -> dict:
    """What a screening states of the facts kept on record (series.Facts): the row's fact columns."""
    weeks = intake["runner"].get("prior_calf_strain_weeks_ago")
    corrections = intake.get("corrections") or {}
    dvt = True if intake["red_flags"].get("previous_dvt") else None
    return {
        "soreness_days": intake["wellness"].get("soreness_days"),
        # A fact stated today wins over a correction of the one on record (it is the one on record now).
        "previous_dvt": dvt or (False if corrections.get("previous_dvt_in_error") else None),
        "calf_strain_on": None if weeks is None else screened_at - timedelta(weeks=weeks),
        "calf_strain_error": True if corrections.get("calf_strain_in_error") and weeks is None else None,
    }


def summary_stated(intake: dict, result: dict) -> dict:
    """What the team page shows of a screening besides its score: the team_runners columns of its row."""
    history = result.get("history") or {}
    previous = history.get("previous") or {}
    baselines = history.get("baselines") or {}
    programme = result.get("programme")
    stage = programme.get("stage") if isinstance(programme, dict) else None  # a section another change adds
    return {
        "runner_group": intake["runner"].get("group"),
        "fatigue_z": (baselines.get("fatigue") or {}).get("z"),
        "soreness_z": (baselines.get("soreness") or {}).get("z"),
        "previous_score": previous.get("score"),
        "previous_band": previous.get("band"),
        "previous_urgency": previous.get("urgency"),
        "programme_stage": stage if isinstance(stage, str) else None,
    }


def _sqlite_pragmas(synchronous: str):
    def on_connect(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        # A deleted row's bytes are overwritten with zeros, not left in free pages (erasure erases).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return on_connect


def make_engine(url: str, *, synchronous: str = "FULL", autocommit: bool = False) -> Engine:
    """An engine on `url`; SQLite files get WAL, `synchronous` (FULL or NORMAL) and a busy timeout.

    `autocommit`: every statement is its own transaction (the group commit's
    writes, Store.add_together), set once per connection, not per use.
    """
    mode = str(synchronous).strip().upper()
    if mode not in SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS)}, not {synchronous!r}")
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"), **POOL, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(mode))
    # A forked worker (gunicorn preloads the app) must not share the parent's pooled connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


_INSERT = screenings.insert()
_INSERT_AUDIT = audit_events.insert()
# What the group commit writes for one request: its screening's row (None for an audit entry alone) and the
# audit entries that go with it.
Write = tuple[dict | None, list[dict]]


@functools.cache
def _insert_of(table: Table, count: int) -> TextClause:
    """One INSERT statement of `count` rows of `table` (a multi-row VALUES), the parameters named `column_n`.

    Written as text with typed parameters because SQLAlchemy compiles an
    insert().values([...]) of several rows anew each time (it has no cache key);
    a text() is compiled once. The same SQL on SQLite and PostgreSQL.
    """
    names = [column.name for column in table.c]
    rows = ", ".join("(" + ", ".join(f":{name}_{n}" for name in names) + ")" for n in range(count))
    return text(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES {rows}").bindparams(
        *(bindparam(f"{column.name}_{n}", type_=column.type) for n in range(count) for column in table.c)
    )


def _values(rows: list[dict]) -> dict:
    return {f"{key}_{n}": value for n, row in enumerate(rows) for key, value in row.items()}


def failure_reason(error: Exception) -> str:
    """A store error as a command prints it: its name and the database's own message. SQLAlchemy keeps
    the statement and its values (an intake) out of `args[0]`; they are only in the error's str()."""
    return f"{type(error).__name__}: {error.args[0] if error.args else type(error).__name__}"


def writer_lock_path(engine: Engine) -> str | None:
    """The file the writers of a SQLite database take turns on (beside it, `-writer.lock`); None otherwise."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}-writer.lock"


class Store:
    """Reads and writes stored screenings; one per process, safe to share between threads."""

    def __init__(self, engine: Engine, *, synchronous: str = "FULL"):
        self.engine = engine
        self._synchronous = synchronous
        lock = writer_lock_path(engine)
        self._writer = GroupCommit(self.add_together, ProcessLock(lock) if lock else None)

    @classmethod
    def open(cls, url: str, *, upgrade: bool, synchronous: str = "FULL") -> "Store":
        """Open the database at `url`; `upgrade` migrates it to the newest schema, else it must be there.

        `synchronous` is a SQLite file's flush setting (SYNCHRONOUS); other databases ignore it.
        """
        engine = make_engine(url, synchronous=synchronous)
        if upgrade:
            migrate.upgrade(engine)
        else:
            migrate.require_current(engine, engine.url.render_as_string(hide_password=True))
        return cls(engine, synchronous=synchronous)

    @functools.cached_property
    def _writes(self) -> Engine:
        """The group commit's own engine on the same database, each statement its own transaction (made on
        the first add_together: a store that only reads, or a roster's, which uses add_many, never needs it)."""
        url = self.engine.url.render_as_string(hide_password=False)
        return make_engine(url, synchronous=self._synchronous, autocommit=True)

    def add(self, screening: Screening, audit: dict | None = None) -> None:
        """Store one screening (and its audit entry, in the same transaction); when this returns it is
        committed (with those that came at the same time)."""
        self._writer.add((screening.row(), [audit] if audit else []))

    def record(self, audit: dict) -> None:
        """Append one audit entry (a read or a refusal, which write nothing else); committed when it returns."""
        self._writer.add((None, [audit]))

    def record_many(self, audit: list[dict]) -> None:
        """Append audit entries in one transaction (a batch's screened runners); committed when it returns."""
        with self.engine.begin() as connection:
            connection.execute(_INSERT_AUDIT, audit)

    def add_many(self, rows: list[dict], audit: list[dict] | None = None) -> None:
        """Store these rows (and their audit entries) in one transaction: all or none (a roster's partition)."""
        with self.engine.begin() as connection:
            connection.execute(_INSERT, rows)
            if audit:
                connection.execute(_INSERT_AUDIT, audit)

    def add_together(self, writes: list[Write]) -> None:
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
                connection.execute(_insert_of(screenings, len(rows)), _values(rows))
                connection.execute(_insert_of(audit_events, len(audit)), _values(audit))
            return
        table, chosen = (screenings, rows) if rows else (audit_events, audit)
        if chosen:
            with self._writes.connect() as connection:
                connection.execute(_insert_of(table, len(chosen)), _values(chosen))

    def result(self, screening_id: str, team: str | Collection[str] | None = None) -> str | None:
        """The stored result's JSON text, exactly as it was sent; with `team` (one, or several), only if it is
        that team's (else None, as for an unknown id: the filter is in the query). The faces give it."""
        found = self.found(screening_id, team)
        return None if found is None else found[0]

    def found(self, screening_id: str, team: str | Collection[str] | None = None) -> tuple[str, str] | None:
        """The stored result's JSON text and its runner id (for the audit trail), as `result` finds it."""
        c = screenings.c
        query = select(c.result, c.runner_id).where(c.screening_id == screening_id)
        if isinstance(team, str):
            query = query.where(c.team == team)
        elif team is not None:
            query = query.where(c.team.in_(sorted(team)))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
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
        c = screenings.c
        query = (
            select(c.intake, c.screened_at)
            .where(c.team == team, c.runner_id == runner_id)
            .order_by(c.screened_at.desc(), c.screening_id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (row.intake, row.screened_at)

    def page(self, team: str, runner_id: str, *, limit: int, after: str | None = None) -> Page:
        """One page of a runner's screenings, newest first, and the id to continue `after` (None: last page).

        `after` is the screening the previous page ended with; a page of None
        says it is no screening of this runner.
        """
        c = screenings.c
        query = select(c.screening_id, c.screened_at, c.ruleset_version, c.score, c.band, c.urgency, c.fired).where(
            c.team == team, c.runner_id == runner_id
        )
        with self.engine.connect() as connection:
            if after is not None:
                moment = connection.scalar(
                    select(c.screened_at).where(c.screening_id == after, c.team == team, c.runner_id == runner_id)
                )
                if moment is None:
                    return None, None
                query = query.where(or_(c.screened_at < moment, and_(c.screened_at == moment, c.screening_id < after)))
            query = query.order_by(c.screened_at.desc(), c.screening_id.desc()).limit(limit + 1)
            rows = list(connection.execute(query).all())
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
        truncated. PostgreSQL reclaims the dead row versions at its next
        (auto)vacuum of the table; no query can read them meanwhile. The audit
        trail keeps its entries about the runner (`audit`: the erasure's own).
        """
        c = screenings.c
        with self.engine.begin() as connection:
            erased = connection.execute(delete(screenings).where(c.team == team, c.runner_id == runner_id)).rowcount
            if audit:  # the entry saying it happened, in the same transaction
                connection.execute(_INSERT_AUDIT, [audit])
        if erased and self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return erased

    def delete_screening(self, team: str, screening_id: str, audit: dict | None = None) -> str | None:
        """Delete one stored screening of this team (really deleted, as erase does); its runner id, or None when
        the team has no such screening. Later reads of the runner (baselines, the soreness chain, merged
        weeks, the facts on record) no longer see it; results already sent keep what they said. `audit`:
        the removal's own entry, committed with it (its runner id filled in), only when one was removed."""
        c = screenings.c
        with self.engine.begin() as connection:
            runner_id = connection.scalar(
                delete(screenings).where(c.team == team, c.screening_id == screening_id).returning(c.runner_id)
            )
            if audit and runner_id is not None:
                connection.execute(_INSERT_AUDIT, [{**audit, "runner_id": runner_id}])
        if runner_id is not None and self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return runner_id

    def prune(self, days: int, *, now: datetime | None = None) -> int:
        """Delete every screening older than `days` days; how many there were."""
        cutoff = (now or datetime.now(UTC).replace(tzinfo=None)) - timedelta(days=days)
        with self.engine.begin() as connection:
            return connection.execute(delete(screenings).where(screenings.c.screened_at < cutoff)).rowcount

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(screenings)) or 0
