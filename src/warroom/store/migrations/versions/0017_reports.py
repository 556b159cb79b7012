"""kept reports: the monthly review the scheduler makes on the 1st, one per period

Revision ID: 0017_reports
Revises: 0016_checklists

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import JsonType, UTCDateTime

revision = "0017_reports"
down_revision = "0016_checklists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("data", JsonType, nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.UniqueConstraint("kind", "period", name="uq_reports_kind_period"),
    )


def downgrade() -> None:
    op.drop_table("reports")
