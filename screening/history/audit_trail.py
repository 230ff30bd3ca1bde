"""The audit trail: who read, screened or erased which runner, and every refusal, kept beside the screenings.

    entry = audit_trail.entry("read_trend", actor="coach-app", actor_kind="key", team="club-a", runner_id="r-1",
                              outcome="ok", status=200, request_id="...", client_address="127.0.0.1")
    store.record(entry)                       # alone (a read, a refusal), or with its write:
    store.add(screening, audit=entry)         # in the same transaction as the screening
    audit_trail.page(engine, teams={"club-a"}, runner_id="r-1", limit=50)   # newest first, by cursor

An entry names people and programs by their key name, account or token
subject, and runners by their pseudonymous id; it never holds an intake value
or a result (a removal's `reason` is the clinician's words, why a screening was
removed). Erasing a runner keeps the entries about them (and adds its own);
only the trail's own retention (`prune`) deletes entries.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from screening.history.tables import audit_events

# What an entry says happened (`action`) and how it ended (`outcome`).
ACTIONS = (
    "screen",
    "screen_batch",
    "read_screenings",
    "read_screening",
    "read_trend",
    "read_team",
    "prefill",
    "erase",
    "erase_screening",
    "read_audit",
    "sign_in",
    "sign_out",
)
OUTCOMES = ("ok", "refused", "not_found", "invalid", "rate_limited", "failed")
ACTOR_KINDS = ("key", "account", "oidc", "cli", "anonymous", "none")


def outcome_of(status: int) -> str:
    """The outcome an HTTP status stands for."""
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "refused"
    if status == 404:
        return "not_found"
    if status == 429:
        return "rate_limited"
    return "failed" if status >= 500 else "invalid"


def entry(
    action: str,
    *,
    actor: str | None,
    actor_kind: str,
    outcome: str,
    team: str | None = None,
    runner_id: str | None = None,
    screening_id: str | None = None,
    status: int | None = None,
    request_id: str | None = None,
    client_address: str | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> dict:
    """One audit row (a dict of audit_events' columns); `at` defaults to now (naive UTC, as the store keeps it)."""
    moment = at or datetime.now(UTC)
    return {
        "event_id": uuid.uuid4().hex,
        "at": moment.replace(tzinfo=None),
        "actor": actor,
        "actor_kind": actor_kind,
        "team": team,
        "action": action,
        "runner_id": runner_id,
        "screening_id": screening_id,
        "outcome": outcome,
        "status": status,
        "request_id": request_id,
        "client_address": client_address,
        "reason": reason,
    }


@dataclass(frozen=True)
class Filters:
    """What GET /v1/audit and the export select: each given field must match (teams: one of them; None: all)."""

    teams: frozenset[str] | None = None
    team: str | None = None
    runner_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list:
        c = audit_events.c
        found: list[ColumnElement[bool]] = []
        if self.teams is not None:
            found.append(c.team.in_(sorted(self.teams)))
        for column, value in ((c.team, self.team), (c.runner_id, self.runner_id), (c.actor, self.actor)):
            if value is not None:
                found.append(column == value)
        if self.action is not None:
            found.append(c.action == self.action)
        if self.since is not None:
            found.append(c.at >= self.since)
        if self.until is not None:
            found.append(c.at < self.until)
        return found


def page(engine: Engine, filters: Filters, *, limit: int, after: str | None = None) -> tuple[list, str | None]:
    """One page of entries, newest first, and the event id to continue `after` (None: last page).

    A cursor naming no entry the filters select gives an empty page with no next one.
    """
    c = audit_events.c
    query = select(audit_events).where(*filters.where())
    with engine.connect() as connection:
        if after is not None:
            moment = connection.scalar(select(c.at).where(c.event_id == after, *filters.where()))
            if moment is None:
                return [], None
            query = query.where(or_(c.at < moment, and_(c.at == moment, c.event_id < after)))
        rows = list(connection.execute(query.order_by(c.at.desc(), c.event_id.desc()).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].event_id if more else None


def every(engine: Engine, filters: Filters, *, chunk: int = 1000):
    """Every entry the filters select, oldest first, read a chunk at a time (the export)."""
    c = audit_events.c
    last: tuple[datetime, str] | None = None
    with engine.connect() as connection:
        while True:
            query = select(audit_events).where(*filters.where())
            if last is not None:
                query = query.where(or_(c.at > last[0], and_(c.at == last[0], c.event_id > last[1])))
            rows = connection.execute(query.order_by(c.at, c.event_id).limit(chunk)).all()
            yield from rows
            if len(rows) < chunk:
                return
            last = (rows[-1].at, rows[-1].event_id)


def prune(engine: Engine, days: int, *, now: datetime | None = None) -> int:
    """Delete the entries older than `days` days (the trail's own retention); how many there were."""
    cutoff = (now or datetime.now(UTC).replace(tzinfo=None)) - timedelta(days=days)
    with engine.begin() as connection:
        return connection.execute(delete(audit_events).where(audit_events.c.at < cutoff)).rowcount
