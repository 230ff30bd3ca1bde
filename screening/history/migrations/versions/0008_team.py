"""The team page: each runner's latest screening in a table of its own, kept by the database itself.

The screenings table gains the columns the team page shows of a runner's
latest screening: the runner's group (squad), the fatigue and soreness
z-scores against their own baseline, the previous screening's score, band
and urgency as the result compared with them, and the programme stage (when
a result has one). Rows stored before this revision are filled in from their
stored intake and result (in batches; those texts are untouched).

`team_runners` holds one row per runner (team, runner id): a copy of the
columns of their newest screening (newest by screened_at, then screening
id). Triggers keep it: an insert of a newer screening replaces the row; a
delete of the screening it copies puts the runner's next newest in its place,
or leaves no row when none is left (erasure erases). So the team page is one
read of the team's rows by the primary key, never a scan of the screenings.

Revision ID: 0008_team
Revises: 0007_ops
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008_team"
down_revision = "0007_ops"
branch_labels = None
depends_on = None

BATCH = 1_000
TYPES: dict[str, sa.types.TypeEngine] = {
    "runner_group": sa.String(64),
    "fatigue_z": sa.Float(),
    "soreness_z": sa.Float(),
    "previous_score": sa.Integer(),
    "previous_band": sa.String(16),
    "previous_urgency": sa.String(16),
    "programme_stage": sa.String(16),
}
NAMES = list(TYPES)
# The columns this revision adds to screenings: programme_stage is 0006_programme's (team_runners copies it).
ADDED = [name for name in NAMES if name != "programme_stage"]


def _added(names: list[str] = NAMES) -> list[sa.Column]:
    return [sa.Column(name, TYPES[name], nullable=True) for name in names]


# What team_runners copies of the newest screening, besides the key (team, runner_id).
COPIED = ["screening_id", "screened_at", "score", "band", "urgency", *NAMES]


def summary_of(intake_json: str, result_json: str) -> dict:
    """The new columns' values for a stored intake and result (what they said; nothing guessed)."""
    intake, result = json.loads(intake_json), json.loads(result_json)
    history = result.get("history") or {}
    previous = history.get("previous") or {}
    baselines = history.get("baselines") or {}
    programme = result.get("programme")
    stage = programme.get("stage") if isinstance(programme, dict) else None
    return {
        "runner_group": (intake.get("runner") or {}).get("group"),
        "fatigue_z": (baselines.get("fatigue") or {}).get("z"),
        "soreness_z": (baselines.get("soreness") or {}).get("z"),
        "previous_score": previous.get("score"),
        "previous_band": previous.get("band"),
        "previous_urgency": previous.get("urgency"),
        "programme_stage": stage if isinstance(stage, str) else None,
    }


def _newer(new: str, kept: str) -> str:
    return (
        f"{new}.screened_at > {kept}.screened_at OR "
        f"({new}.screened_at = {kept}.screened_at AND {new}.screening_id > {kept}.screening_id)"
    )


_COLUMNS = ", ".join(["team", "runner_id", *COPIED])
_NEW = ", ".join("NEW." + name for name in ["team", "runner_id", *COPIED])
_UPSERT = (
    f"INSERT INTO team_runners ({_COLUMNS}) VALUES ({_NEW}) "
    f"ON CONFLICT (team, runner_id) DO UPDATE SET {', '.join(f'{name} = excluded.{name}' for name in COPIED)} "
    f"WHERE {_newer('excluded', 'team_runners')};"
)
_REPLACE = (
    "DELETE FROM team_runners WHERE team = OLD.team AND runner_id = OLD.runner_id "
    "AND screening_id = OLD.screening_id; "
    f"INSERT INTO team_runners ({_COLUMNS}) SELECT {_COLUMNS} FROM screenings "
    "WHERE team = OLD.team AND runner_id = OLD.runner_id AND NOT EXISTS "
    "(SELECT 1 FROM team_runners WHERE team = OLD.team AND runner_id = OLD.runner_id) "
    "ORDER BY screened_at DESC, screening_id DESC LIMIT 1;"
)


def _triggers(dialect: str) -> None:
    if dialect == "postgresql":
        for name, body in (("insert", _UPSERT), ("delete", _REPLACE)):
            op.execute(
                f"CREATE FUNCTION team_runners_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER tr_team_runners_{name} AFTER {name.upper()} ON screenings "
                f"FOR EACH ROW EXECUTE FUNCTION team_runners_{name}()"
            )
    else:
        op.execute(f"CREATE TRIGGER tr_team_runners_insert AFTER INSERT ON screenings BEGIN {_UPSERT} END")
        op.execute(f"CREATE TRIGGER tr_team_runners_delete AFTER DELETE ON screenings BEGIN {_REPLACE} END")


def _fill_columns(connection) -> None:
    table = sa.table(
        "screenings",
        sa.column("screening_id"),
        sa.column("intake"),
        sa.column("result"),
        *(sa.column(name) for name in ADDED),
    )
    last = ""
    while True:
        rows = connection.execute(
            sa.select(table.c.screening_id, table.c.intake, table.c.result)
            .where(table.c.screening_id > last)
            .order_by(table.c.screening_id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            table.update()
            .where(table.c.screening_id == sa.bindparam("id"))
            .values({name: sa.bindparam(f"new_{name}") for name in ADDED}),
            [
                {
                    "id": row.screening_id,
                    **{f"new_{k}": v for k, v in summary_of(row.intake, row.result).items() if k in ADDED},
                }
                for row in rows
            ],
        )
        last = rows[-1].screening_id


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        for column in _added(ADDED):
            batch.add_column(column)
    connection = op.get_bind()
    _fill_columns(connection)
    op.create_table(
        "team_runners",
        sa.Column("team", sa.String(64), primary_key=True),
        sa.Column("runner_id", sa.String(64), primary_key=True),
        sa.Column("screening_id", sa.String(64), nullable=False),
        sa.Column("screened_at", sa.DateTime(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=True),
        *_added(),
    )
    op.execute(
        f"INSERT INTO team_runners ({_COLUMNS}) SELECT {_COLUMNS} FROM (SELECT {_COLUMNS}, row_number() OVER "
        "(PARTITION BY team, runner_id ORDER BY screened_at DESC, screening_id DESC) AS newest FROM screenings) "
        "AS ranked WHERE newest = 1"
    )
    _triggers(connection.dialect.name)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in ("insert", "delete"):
        op.execute(
            f"DROP TRIGGER tr_team_runners_{name} ON screenings"
            if dialect == "postgresql"
            else f"DROP TRIGGER tr_team_runners_{name}"
        )
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION team_runners_{name}()")
    op.drop_table("team_runners")
    with op.batch_alter_table("screenings") as batch:
        for name in reversed(ADDED):
            batch.drop_column(name)
