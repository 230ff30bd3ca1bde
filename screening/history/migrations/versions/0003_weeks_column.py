"""Each screening's weekly distances as entered, beside the intake; a runner's reads come from an index alone.

Ruleset 2.1.0 fills in a returning runner's older weeks from their earlier
screenings (screening/history/series.py). A new screening reads its runner's
newest screenings in one query; with the weeks in a short column of their own
it never parses a stored intake for them. Rows stored before this revision are
filled in here from their intake (in batches); their intake and result are
untouched.

The runner index now carries every column a runner's history and trend read
(SQLite: as key columns; PostgreSQL: INCLUDE, as json has no btree operator),
so those reads never touch the table's rows, each ~17 KB with its intake and
result on overflow pages. Measured with 8 threads posting one runner: 4.1 ->
2.8 ms CPU a stored POST. It replaces the (team, runner_id, screened_at,
screening_id) index, which is its prefix.

Revision ID: 0003
Revises: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 1_000
KEY = ["team", "runner_id", "screened_at", "screening_id"]
CARRIED = ["fatigue", "soreness", "weeks", "ruleset_version", "score", "band", "urgency", "fired"]
CARRIED += ["weekly_km", "ostrc_severity"]  # the trend's


def weeks_text(intake_json: str) -> str | None:
    """The column's text for a stored intake: ["km", [38, 40]] (unit, weeks oldest first), or None."""
    training = json.loads(intake_json).get("training") or {}
    weeks = training.get("weekly_distance")
    return json.dumps([training.get("unit", "km"), weeks], separators=(",", ":")) if weeks else None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("weeks", sa.Text(), nullable=True))
    table = sa.table("screenings", sa.column("screening_id"), sa.column("intake"), sa.column("weeks"))
    connection = op.get_bind()
    last = ""
    while True:
        rows = connection.execute(
            sa.select(table.c.screening_id, table.c.intake)
            .where(table.c.screening_id > last)
            .order_by(table.c.screening_id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            table.update().where(table.c.screening_id == sa.bindparam("id")).values(weeks=sa.bindparam("text")),
            [{"id": row.screening_id, "text": weeks_text(row.intake)} for row in rows],
        )
        last = rows[-1].screening_id
    op.drop_index("ix_screenings_team_runner_time", table_name="screenings")
    if connection.dialect.name == "postgresql":
        op.create_index("ix_screenings_runner_reads", "screenings", KEY, postgresql_include=CARRIED)
    else:
        op.create_index("ix_screenings_runner_reads", "screenings", KEY + CARRIED)


def downgrade() -> None:
    op.drop_index("ix_screenings_runner_reads", table_name="screenings")
    op.create_index("ix_screenings_team_runner_time", "screenings", KEY)
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("weeks")
