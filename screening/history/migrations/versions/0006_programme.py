"""What the soleus programme (ruleset 2.3.0) reads from a runner's earlier screenings: heel raises and stage.

- `heel_raise_left`, `heel_raise_right`: the single-leg bent-knee heel raises
  the screening's intake gave (null: that leg was not tested);
- `programme_stage`: the stage the screening's programme gave (`stage_2`), or
  `withheld`; null for a screening stored before the programme.

Rows stored before this revision get their heel raises from the stored intake
(in batches; intake and result untouched) and keep a null stage: no stage is
guessed for a screening that gave none. The runner index carries the new
columns, so a new screening still reads its runner's history from the index.

Revision ID: 0006_programme
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0006_programme"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 1_000
KEY = ["team", "runner_id", "screened_at", "screening_id"]
CARRIED_0005 = ["fatigue", "soreness", "weeks", "ruleset_version", "score", "band", "urgency", "fired"]
CARRIED_0005 += ["weekly_km", "ostrc_severity", "soreness_days", "previous_dvt", "calf_strain_on", "calf_strain_error"]
ADDED = ["heel_raise_left", "heel_raise_right", "programme_stage"]


def heel_raises_of(intake_json: str) -> dict:
    """The new heel-raise columns' values for a stored intake (what it said; nothing guessed)."""
    heel_raise = json.loads(intake_json).get("heel_raise") or {}
    return {"heel_raise_left": heel_raise.get("left"), "heel_raise_right": heel_raise.get("right")}


def _index(connection, carried: list[str]) -> None:
    if connection.dialect.name == "postgresql":
        op.create_index("ix_screenings_runner_reads", "screenings", KEY, postgresql_include=carried)
    else:
        op.create_index("ix_screenings_runner_reads", "screenings", KEY + carried)


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("heel_raise_left", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("heel_raise_right", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("programme_stage", sa.String(16), nullable=True))
    table = sa.table(
        "screenings",
        sa.column("screening_id"),
        sa.column("intake"),
        sa.column("heel_raise_left"),
        sa.column("heel_raise_right"),
    )
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
            table.update()
            .where(table.c.screening_id == sa.bindparam("id"))
            .values({name: sa.bindparam(f"new_{name}") for name in ("heel_raise_left", "heel_raise_right")}),
            [
                {"id": row.screening_id, **{f"new_{k}": v for k, v in heel_raises_of(row.intake).items()}}
                for row in rows
            ],
        )
        last = rows[-1].screening_id
    op.drop_index("ix_screenings_runner_reads", table_name="screenings")
    _index(connection, CARRIED_0005 + ADDED)


def downgrade() -> None:
    op.drop_index("ix_screenings_runner_reads", table_name="screenings")
    _index(op.get_bind(), CARRIED_0005)
    with op.batch_alter_table("screenings") as batch:
        for name in reversed(ADDED):
            batch.drop_column(name)
