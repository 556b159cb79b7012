"""escalation engine: performed steps and used acknowledgement links

Revision ID: 0003_engine
Revises: 0002_timers_outbox

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import UTCDateTime

revision = "0003_engine"
down_revision = "0002_timers_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "escalation_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("person", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=True),
        sa.Column("level", sa.String(length=50), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("contact_index", sa.Integer(), nullable=True),
        sa.Column("outbox_key", sa.String(length=255), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("performed_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "key", name="uq_escalation_step_key"),
    )
    with op.batch_alter_table("escalation_steps", schema=None) as batch_op:
        batch_op.create_index("ix_escalation_steps_incident_id", ["incident_id"], unique=False)
        batch_op.create_index("ix_escalation_steps_outbox_key", ["outbox_key"], unique=False)
    op.create_table(
        "ack_tokens_used",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("outbox_key", sa.String(length=255), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )


def downgrade() -> None:
    op.drop_table("ack_tokens_used")
    with op.batch_alter_table("escalation_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_steps_outbox_key")
        batch_op.drop_index("ix_escalation_steps_incident_id")
    op.drop_table("escalation_steps")
