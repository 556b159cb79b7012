"""dead letters: payloads accepted (2xx) that could not be applied, kept until retried

Revision ID: 0014_dead_letters
Revises: 0013_publishing

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import UTCDateTime

revision = "0014_dead_letters"
down_revision = "0013_publishing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inbox_id", sa.Integer(), nullable=False, index=True),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integrations.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.Column("new_key", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("field", sa.String(200), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dead_letters")
