"""chat: each incident's Slack channel, and the chat outbox worked through in order

Revision ID: 0020_chat
Revises: 0019_schedules

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import JsonType, UTCDateTime

revision = "0020_chat"
down_revision = "0019_schedules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_rooms",
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("channel_id", sa.String(40), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("initial_ts", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "chat_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(255), nullable=False, unique=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", JsonType, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("via", sa.String(20), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_chat_posts_state_next", "chat_posts", ["state", "next_attempt_at"])
    op.create_index("ix_chat_posts_incident_id", "chat_posts", ["incident_id", "id"])


def downgrade() -> None:
    op.drop_table("chat_posts")
    op.drop_table("chat_rooms")
