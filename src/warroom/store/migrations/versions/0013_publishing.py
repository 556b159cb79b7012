"""incidents are private until published: when, and under which public title.

Incidents stored before this revision stay unpublished: their titles may have come from
alerts, and publishing is a decision a responder takes.

Revision ID: 0013_publishing
Revises: 0012_outbox_only

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import UTCDateTime

revision = "0013_publishing"
down_revision = "0012_outbox_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: SQLite's copy-and-move would drop a table that
    # the timeline and the alerts point at.
    op.add_column("incidents", sa.Column("published_at", UTCDateTime(), nullable=True))
    op.add_column("incidents", sa.Column("public_title", sa.String(500), nullable=True))


def downgrade() -> None:
    op.drop_column("incidents", "public_title")
    op.drop_column("incidents", "published_at")
