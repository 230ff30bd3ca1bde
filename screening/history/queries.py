"""Every statement the store runs on the screenings (tables.py), each written once; most built once.

    RECENT        one row: the newest `limit` screenings' points (as one JSON array), the newest one's summary,
                  and the facts on record from every earlier screening of the runner (series.Facts)
    TREND         a runner's latest screenings' trend columns, newest first
    TEAM_RUNNERS  a team's runners, each one's latest screening (team_runners, migration 0008_team), by the
                  primary key, in team_view.TeamRunner's order
    INSERT, INSERT_AUDIT, insert_of   rows of screenings and audit entries, as a list or as one statement
    found, latest_intake, page_of, moment_of, stored_intakes, COUNT   the store's other reads
    erase_runner, delete_screening, older_than                       its deletes (an erasure, a removal, a prune)

RECENT and TREND read the runner index alone (its columns carried in it,
migrations 0003 and 0005), never the ~17 KB rows. The same SQL on SQLite and
PostgreSQL apart from the JSON constructs, said once per dialect. What the
rows read are made into is reads.py's.
"""

import functools
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Table, Text, TextClause, and_, bindparam, delete, func, or_, select, text, type_coerce
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from screening.history.tables import audit_events, screenings, team_runners

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
TREND = _newest_first(
    select(_c.screening_id, _c.screened_at, _c.score, _c.band, _c.urgency)
    .add_columns(_c.fatigue, _c.soreness, _c.weekly_km, _c.ostrc_severity)
    .where(_c.team == bindparam("team"), _c.runner_id == bindparam("runner_id"))
).limit(bindparam("limit"))


_t = team_runners.c
# screened_at as the driver gives it (SQLite: text, parsed by the reader with datetime.fromisoformat; PostgreSQL:
# a datetime): SQLAlchemy's own parsing of SQLite's text took ~4x the query's time for a team of 10,000.
TEAM_RUNNERS = select(
    _t.runner_id, _t.screening_id, type_coerce(_t.screened_at, Text()), _t.score, _t.band, _t.urgency, _t.runner_group
).add_columns(_t.fatigue_z, _t.soreness_z, _t.previous_score, _t.previous_band, _t.previous_urgency, _t.programme_stage)
TEAM_RUNNERS = TEAM_RUNNERS.where(_t.team == bindparam("team")).order_by(_t.runner_id)


INSERT = screenings.insert()
INSERT_AUDIT = audit_events.insert()


@functools.cache
def insert_of(table: Table, count: int) -> TextClause:
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


def values_of(rows: list[dict]) -> dict:
    """insert_of's parameters for these rows."""
    return {f"{key}_{n}": value for n, row in enumerate(rows) for key, value in row.items()}


def stored_intakes(ids: list[str]):
    """The intakes stored under these screening ids (a resumed roster run's rows), by id."""
    return select(_c.screening_id, _c.intake).where(_c.screening_id.in_(ids))


def found(screening_id: str, team: str | Collection[str] | None):
    """A screening's result text and runner id; with `team` (one, or several), only if it is that team's."""
    query = select(_c.result, _c.runner_id).where(_c.screening_id == screening_id)
    if isinstance(team, str):
        query = query.where(_c.team == team)
    elif team is not None:
        query = query.where(_c.team.in_(sorted(team)))
    return query


def latest_intake(team: str, runner_id: str):
    """The runner's newest screening's intake text and time."""
    return _newest_first(select(_c.intake, _c.screened_at).where(_c.team == team, _c.runner_id == runner_id)).limit(1)


def moment_of(screening_id: str, team: str, runner_id: str):
    """When this screening of this runner was screened (none: it is no screening of theirs)."""
    return select(_c.screened_at).where(_c.screening_id == screening_id, _c.team == team, _c.runner_id == runner_id)


def page_of(team: str, runner_id: str, *, rows: int, after: tuple[datetime, str] | None = None):
    """`rows` of a runner's screenings' summaries, newest first; `after`: only those after the (screened_at,
    screening_id) a previous page ended with."""
    query = select(_c.screening_id, _c.screened_at, _c.ruleset_version, _c.score, _c.band, _c.urgency, _c.fired)
    query = query.where(_c.team == team, _c.runner_id == runner_id)
    if after is not None:
        moment, screening_id = after
        query = query.where(
            or_(_c.screened_at < moment, and_(_c.screened_at == moment, _c.screening_id < screening_id))
        )
    return _newest_first(query).limit(rows)


def erase_runner(team: str, runner_id: str):
    """Delete every screening of this runner."""
    return delete(screenings).where(_c.team == team, _c.runner_id == runner_id)


def delete_screening(team: str, screening_id: str):
    """Delete one screening of this team, giving its runner id."""
    return delete(screenings).where(_c.team == team, _c.screening_id == screening_id).returning(_c.runner_id)


def older_than(cutoff: datetime):
    """Delete every screening screened before `cutoff`."""
    return delete(screenings).where(_c.screened_at < cutoff)


COUNT = select(func.count()).select_from(screenings)
