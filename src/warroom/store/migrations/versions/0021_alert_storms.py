"""alert storms: the storm incidents of each integration, and when and under what title
each alert group last opened (or joined a storm instead of opening) an incident, so the
count of new incidents within `intake.storm.within` comes from the database

Revision ID: 0021_alert_storms
Revises: 0020_chat

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warroom.store.models import UTCDateTime

revision = "0021_alert_storms"
down_revision = "0020_chat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_groups") as table:
        table.add_column(sa.Column("opened_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("title", sa.Text(), nullable=True))
    op.create_index(
        "ix_alert_groups_integration_opened", "alert_groups", ["integration_id", "opened_at"]
    )
    op.create_table(
        "alert_storms",
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("integration_id", sa.Integer, sa.ForeignKey("integrations.id"), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_alert_storms_integration", "alert_storms", ["integration_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_storms_integration", table_name="alert_storms")
    op.drop_table("alert_storms")
    op.drop_index("ix_alert_groups_integration_opened", table_name="alert_groups")
    # not in a batch: on SQLite that copies the table, which the alerts' foreign key forbids
    op.drop_column("alert_groups", "title")
    op.drop_column("alert_groups", "opened_at")
