"""post-mortems and action items

Revision ID: 0006_post
Revises: 0002_timers_outbox

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import JsonType, UTCDateTime

revision = "0006_post"
down_revision = "0002_timers_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postmortems",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("sections", JsonType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.UniqueConstraint("incident_id", name="uq_postmortems_incident_id"),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
    )
    op.create_index("ix_action_items_incident_id", "action_items", ["incident_id"])
    op.create_index("ix_action_items_status_due", "action_items", ["status", "due_at"])
    # the monthly review filters incidents by declaration time and drill flag
    op.create_index("ix_incidents_drill_declared", "incidents", ["drill", "declared_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_drill_declared", table_name="incidents")
    op.drop_table("action_items")
    op.drop_table("postmortems")
