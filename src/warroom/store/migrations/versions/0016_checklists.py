"""incidents carry their checklist: item id -> {done, done_by, done_at, automatic}.

Incidents stored before this revision start with an empty checklist: nothing is ticked
after the fact that nobody saw done.

Revision ID: 0016_checklists
Revises: 0015_ui_sessions

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import JsonType

revision = "0016_checklists"
down_revision = "0015_ui_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: SQLite's copy-and-move would drop a table that
    # the timeline and the alerts point at.
    op.add_column(
        "incidents",
        sa.Column("checklist", JsonType, nullable=False, server_default=sa.text("'{}'")),
    )


def downgrade() -> None:
    op.drop_column("incidents", "checklist")
