"""The trend's inputs as columns; the runner index ends in screening_id; an index for the retention prune.

A trend of a runner with many screenings then reads a few columns through the
(team, runner_id, screened_at) index instead of parsing every stored intake.
Rows stored before this revision keep NULL there (the trend then says
"not given"); their intake and result are untouched. The runner index gains
screening_id, the tie-break of every newest-first read, so those reads walk
the index and never sort a runner's rows.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("fatigue", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("soreness", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("weekly_km", sa.Float(), nullable=True))
        batch.add_column(sa.Column("ostrc_severity", sa.Integer(), nullable=True))
    op.create_index("ix_screenings_screened_at", "screenings", ["screened_at"])
    op.drop_index("ix_screenings_team_runner_time", table_name="screenings")
    op.create_index(
        "ix_screenings_team_runner_time", "screenings", ["team", "runner_id", "screened_at", "screening_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_screenings_team_runner_time", table_name="screenings")
    op.create_index("ix_screenings_team_runner_time", "screenings", ["team", "runner_id", "screened_at"])
    op.drop_index("ix_screenings_screened_at", table_name="screenings")
    with op.batch_alter_table("screenings") as batch:
        for name in ("ostrc_severity", "weekly_km", "soreness", "fatigue"):
            batch.drop_column(name)
