"""The rows the store's reads give (queries.py), made into the over-time domain's objects.

runner_history(row)        RECENT's one row as a RunnerHistory (points, the newest one's summary, Facts)
team_runners_of(result)    TEAM_RUNNERS' rows as team_view.TeamRunners
"""

import operator
from datetime import datetime

import orjson

from screening.over_time.series import Facts, Point, Previous, RunnerHistory
from screening.over_time.team_view import TeamRunner


def team_runners_of(result) -> list[TeamRunner]:
    """TEAM_RUNNERS' rows as TeamRunners, their screened_at made a datetime (naive UTC).

    Read from the DBAPI cursor (`CursorResult.cursor`): its plain tuples, not a SQLAlchemy Row each (none of
    the columns needs SQLAlchemy's processing once screened_at is text); for 10,000 runners the Rows cost
    about as much as the query.
    """
    when = datetime.fromisoformat
    rows = result.cursor.fetchall()
    result.close()
    return [
        TeamRunner(runner, screening, at if isinstance(at, datetime) else when(at), *rest)
        for runner, screening, at, *rest in rows
    ]


def _json(value):
    """A JSON value as the driver gave it: SQLite gives the text, psycopg parses it itself."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


_NEWEST_FIRST = operator.itemgetter(1, 0)  # (screened_at, screening_id) of a point as the JSON array gives it


def _facts(dvt_stated, dvt_since, strain) -> Facts:
    """The facts on record from RECENT's row (booleans come as 0/1 from SQLite, as true/false from PostgreSQL)."""
    stated = _json(dvt_stated)
    since = dvt_since if stated and stated[0] else None
    found = _json(strain)
    strain_on = recorded = None
    if found and not found[1]:
        strain_on, recorded = datetime.fromisoformat(found[0]), datetime.fromisoformat(found[2])
    if isinstance(since, str):
        since = datetime.fromisoformat(since)
    return Facts(since, strain_on, recorded)


def runner_history(row) -> RunnerHistory:
    """The RunnerHistory of RECENT's row (see _history)."""
    points, newest, dvt_stated, dvt_since, strain = row
    return _history(points, newest, _facts(dvt_stated, dvt_since, strain))


def _history(points, newest, facts: Facts) -> RunnerHistory:
    """The RunnerHistory of RECENT's row: its points newest first, the newest one's summary.

    A point's time comes as text: SQLite's '2026-12-01 09:00:00.000123' or
    PostgreSQL's '2026-12-01T09:00:00.000123' (fractions without trailing
    zeros). Within one database the text sorts as the time does, so the
    points are sorted before their times are parsed.
    """
    rows = _json(points) or []
    if not rows:
        return RunnerHistory([])
    rows.sort(key=_NEWEST_FIRST, reverse=True)
    when = datetime.fromisoformat
    found = [Point(sid, when(at), *rest) for sid, at, *rest in rows]
    ruleset_version, score, band, urgency, fired = _json(newest)
    first = found[0]
    previous = Previous(
        first.screening_id, first.screened_at, ruleset_version, score, band, urgency, tuple(_json(fired))
    )
    return RunnerHistory(found, previous, facts)
