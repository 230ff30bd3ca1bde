"""CDS Hooks tokens seen: each signed call's token is accepted once across every worker and replica.

One row per token accepted (the SHA-256 of its issuer and jti, never the
token), kept until the token has expired; a second call with it finds the row
and is refused. The service deletes expired rows as it goes.

Revision ID: 0007_ops
Revises: 0006_programme
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ops"
down_revision = "0006_programme"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_tokens_seen",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_cds_tokens_seen_expires_at", "cds_tokens_seen", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_cds_tokens_seen_expires_at", table_name="cds_tokens_seen")
    op.drop_table("cds_tokens_seen")
