"""The queries a runner's history is read with, built once, and the rows they give made into a RunnerHistory.

    RECENT   one row: the newest `limit` screenings' points (as one JSON array), the newest one's summary,
             and the facts on record from every earlier screening of the runner (series.Facts)
    TREND    a runner's latest screenings' trend columns, newest first
    TEAM_RUNNERS  a team's runners, each one's latest screening (team_runners, migration 0008_team), by the
             primary key, in team.TeamRunner's order

Both read the runner index alone (its columns carried in it, migrations 0003
and 0005), never the ~17 KB rows. The same SQL on SQLite and PostgreSQL apart
from the JSON constructs, said once per dialect.
"""

import operator
from datetime import datetime

import orjson
from sqlalchemy import Text, bindparam, func, or_, select, type_coerce
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from screening.history.tables import screenings, team_runners
from screening.over_time.series import Facts, Point, Previous, RunnerHistory
from screening.over_time.team_view import TeamRunner

_c = screenings.c
# How many of a runner's newest screenings a new screening reads: enough for every history rule
# (a baseline needs 4 in 8 weeks, merged weeks reach 12 weeks back) even for a runner screened daily.
HISTORY_ROWS = 60


class json_rows(FunctionElement):
    """Aggregate: one JSON array holding, per row of the group, an array of the given columns.

    A runner's history is read as one row, not one per screening: Python's
    sqlite3 lets go of the GIL around every step of a statement, and with the
    threads of a busy worker each row read this way cost a hand-over of the GIL
    (in process, 8 threads: 60 rows one per step took ~1,450 us of CPU a POST,
    5x one thread's; as one row ~550-650 us).
    SQLite: json_group_array(json_array(...)); PostgreSQL: json_agg(json_build_array(...)). Neither
    promises the aggregate's order, so the reader sorts.
    """

    inherit_cache = True
    type = Text()


class json_row(FunctionElement):
    """One row's columns as a JSON array: SQLite json_array(...), PostgreSQL json_build_array(...)."""

    inherit_cache = True
    type = Text()


def _compiled_as(construct, **templates: str) -> None:
    """Compile `construct` on each dialect named as its template, the columns put in for {}."""
    for dialect, template in templates.items():

        def render(element, compiler, template=template, **kw):
            return template.format(compiler.process(element.clauses, **kw))

        compiles(construct, dialect)(render)

    def unsupported(element, compiler, **kw):
        raise CompileError(f"the history store runs on SQLite or PostgreSQL, not {compiler.dialect.name}")

    compiles(construct)(unsupported)


_compiled_as(json_rows, sqlite="json_group_array(json_array({}))", postgresql="json_agg(json_build_array({}))")
_compiled_as(json_row, sqlite="json_array({})", postgresql="json_build_array({})")


def _newest_first(query):
    return query.order_by(_c.screened_at.desc(), _c.screening_id.desc())


_RUNNER_BEFORE = (
    _c.team == bindparam("team"),
    _c.runner_id == bindparam("runner_id"),
    _c.screened_at < bindparam("before"),
)
_POINTS = (
    _newest_first(
        select(
            _c.screening_id,
            _c.screened_at,
            _c.fatigue,
            _c.soreness,
            _c.weeks,
            _c.soreness_days,
            _c.heel_raise_left,
            _c.heel_raise_right,
            _c.programme_stage,
        ).where(*_RUNNER_BEFORE)
    )
    .limit(bindparam("limit"))
    .subquery()
)


def _newest(*columns, where=()):
    """The newest earlier screening's columns (as one JSON array) among those `where` holds."""
    return _newest_first(select(json_row(*columns)).where(*_RUNNER_BEFORE, *where)).limit(1).scalar_subquery()


_LAST_DVT_CORRECTION = select(func.max(_c.screened_at)).where(*_RUNNER_BEFORE, _c.previous_dvt.is_(False))
# Built once: POST /v1/screenings runs it every time, and building a select costs more than running it.
# One row: the points (Point's columns) of the newest `limit` screenings, the newest one's summary, and the
# facts on record from all of the runner's earlier screenings: the newest statement about a previous DVT,
# when the one on record was first recorded (after the last correction), and the newest calf strain given.
RECENT = select(
    json_rows(*_POINTS.c).label("points"),
    _newest(_c.ruleset_version, _c.score, _c.band, _c.urgency, _c.fired).label("newest"),
    _newest(_c.previous_dvt, _c.screened_at, where=[_c.previous_dvt.is_not(None)]).label("dvt_stated"),
    select(func.min(_c.screened_at))
    .where(
        *_RUNNER_BEFORE,
        _c.previous_dvt.is_(True),
        or_(_LAST_DVT_CORRECTION.scalar_subquery().is_(None), _c.screened_at > _LAST_DVT_CORRECTION.scalar_subquery()),
    )
    .scalar_subquery()
    .label("dvt_since"),
    _newest(
        _c.calf_strain_on,
        _c.calf_strain_error,
        _c.screened_at,
        where=[or_(_c.calf_strain_on.is_not(None), _c.calf_strain_error.is_(True))],
    ).label("strain"),
)
NO_LATER_THAN = datetime(9999, 12, 31)
TREND = (
    select(_c.screening_id, _c.screened_at, _c.score, _c.band, _c.urgency)
    .add_columns(_c.fatigue, _c.soreness, _c.weekly_km, _c.ostrc_severity)
    .where(_c.team == bindparam("team"), _c.runner_id == bindparam("runner_id"))
    .order_by(_c.screened_at.desc(), _c.screening_id.desc())
    .limit(bindparam("limit"))
)


_t = team_runners.c
# screened_at as the driver gives it (SQLite: text, parsed by the reader with datetime.fromisoformat; PostgreSQL:
# a datetime): SQLAlchemy's own parsing of SQLite's text took ~4x the query's time for a team of 10,000.
TEAM_RUNNERS = select(
    _t.runner_id, _t.screening_id, type_coerce(_t.screened_at, Text()), _t.score, _t.band, _t.urgency, _t.runner_group
).add_columns(_t.fatigue_z, _t.soreness_z, _t.previous_score, _t.previous_band, _t.previous_urgency, _t.programme_stage)
TEAM_RUNNERS = TEAM_RUNNERS.where(_t.team == bindparam("team")).order_by(_t.runner_id)


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
