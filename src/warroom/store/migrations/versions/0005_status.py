"""status page: component overrides and maintenance windows

Revision ID: 0005_status
Revises: 0002_timers_outbox

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import JsonType, UTCDateTime

revision = "0005_status"
down_revision = "0002_timers_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "component_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("component", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_component_overrides_component", "component_overrides", ["component"])
    op.create_table(
        "maintenances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("components", JsonType, nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_maintenances_starts_at", "maintenances", ["starts_at"])


def downgrade() -> None:
    op.drop_index("ix_maintenances_starts_at", table_name="maintenances")
    op.drop_table("maintenances")
    op.drop_index("ix_component_overrides_component", table_name="component_overrides")
    op.drop_table("component_overrides")
