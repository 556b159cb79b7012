"""alert intake inbox: payloads answered 2xx, applied to incidents by the scheduler

Revision ID: 0008_intake_inbox
Revises: 0004_intake

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import UTCDateTime

revision = "0008_intake_inbox"
down_revision = "0004_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integrations.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("new_key", sa.String(32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intake_inbox")
