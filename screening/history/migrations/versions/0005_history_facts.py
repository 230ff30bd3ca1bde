"""What ruleset 2.2.0 reads from a runner's earlier screenings besides their scores: facts kept on record.

- `soreness_days`: how long the soreness had lasted, as reported; soreness at
  consecutive screenings is one episode only when the later report reaches
  back to the earlier visit.
- `previous_dvt`: true when the screening recorded a previous DVT, false when
  it said the recorded one was entered in error (`corrections`), null when it
  said neither: a previous DVT stays on record until corrected.
- `calf_strain_on`: the calf strain's date as the screening gave it (its time
  less the weeks entered), so later screenings age it by the time elapsed;
  `calf_strain_error` true when the screening said the recorded strain was
  entered in error.

Rows stored before this revision are filled in from their stored intake (in
batches; their intake and result are untouched). The runner index carries the
new columns too, so a new screening still reads its runner's history from the
index alone (the facts from every earlier screening, not only the newest).

Revision ID: 0005
Revises: 0004
"""

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 1_000
KEY = ["team", "runner_id", "screened_at", "screening_id"]
CARRIED_0003 = ["fatigue", "soreness", "weeks", "ruleset_version", "score", "band", "urgency", "fired"]
CARRIED_0003 += ["weekly_km", "ostrc_severity"]
ADDED = ["soreness_days", "previous_dvt", "calf_strain_on", "calf_strain_error"]


def facts_of(intake_json: str, screened_at: datetime) -> dict:
    """The new columns' values for a stored intake (what it said; nothing guessed)."""
    intake = json.loads(intake_json)
    weeks = (intake.get("runner") or {}).get("prior_calf_strain_weeks_ago")
    corrections = intake.get("corrections") or {}
    dvt = True if (intake.get("red_flags") or {}).get("previous_dvt") else None
    if corrections.get("previous_dvt_in_error") and not dvt:
        dvt = False
    return {
        "soreness_days": (intake.get("wellness") or {}).get("soreness_days"),
        "previous_dvt": dvt,
        "calf_strain_on": None if weeks is None else screened_at - timedelta(weeks=weeks),
        "calf_strain_error": True if corrections.get("calf_strain_in_error") and weeks is None else None,
    }


def _index(connection, carried: list[str]) -> None:
    if connection.dialect.name == "postgresql":
        op.create_index("ix_screenings_runner_reads", "screenings", KEY, postgresql_include=carried)
    else:
        op.create_index("ix_screenings_runner_reads", "screenings", KEY + carried)


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("soreness_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("previous_dvt", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("calf_strain_on", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("calf_strain_error", sa.Boolean(), nullable=True))
    table = sa.table(
        "screenings",
        sa.column("screening_id"),
        sa.column("screened_at", sa.DateTime()),
        sa.column("intake"),
        *(sa.column(name) for name in ADDED),
    )
    connection = op.get_bind()
    last = ""
    while True:
        rows = connection.execute(
            sa.select(table.c.screening_id, table.c.screened_at, table.c.intake)
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
                {"id": row.screening_id, **{f"new_{k}": v for k, v in facts_of(row.intake, row.screened_at).items()}}
                for row in rows
            ],
        )
        last = rows[-1].screening_id
    op.drop_index("ix_screenings_runner_reads", table_name="screenings")
    _index(connection, CARRIED_0003 + ADDED)


def downgrade() -> None:
    op.drop_index("ix_screenings_runner_reads", table_name="screenings")
    _index(op.get_bind(), CARRIED_0003)
    with op.batch_alter_table("screenings") as batch:
        for name in reversed(ADDED):
            batch.drop_column(name)
