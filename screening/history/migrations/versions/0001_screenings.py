"""The screenings table: what was given and the summary a list needs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("screening_id", sa.String(64), primary_key=True),
        sa.Column("team", sa.String(64), nullable=False, server_default=""),
        sa.Column("runner_id", sa.String(64), nullable=False),
        sa.Column("screened_at", sa.DateTime(), nullable=False),
        sa.Column("ruleset_version", sa.String(32), nullable=False),
        sa.Column("intake", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=True),
        sa.Column("fired", sa.JSON(), nullable=False),
    )
    op.create_index("ix_screenings_team_runner_time", "screenings", ["team", "runner_id", "screened_at"])


def downgrade() -> None:
    op.drop_index("ix_screenings_team_runner_time", table_name="screenings")
    op.drop_table("screenings")
