"""claims by severity from an index: pending timers and outbox messages carry their
incident's current severity (99 for work of no incident), so a claim in a backlog reads
the claim index in order instead of joining and sorting every due row

Revision ID: 0022_claim_by_severity
Revises: 0021_alert_storms

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_claim_by_severity"
down_revision = "0021_alert_storms"
branch_labels = None
depends_on = None

CLAIMS = (("timers", "due_at", "ix_timers_claim"), ("outbox", "next_attempt_at", "ix_outbox_claim"))


def upgrade() -> None:
    for table, due, index in CLAIMS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("severity", sa.Integer(), nullable=False, server_default="99")
            )
        op.execute(
            f"UPDATE {table} SET severity = (SELECT severity FROM incidents"
            f" WHERE incidents.id = {table}.incident_id) WHERE incident_id IS NOT NULL"
        )
        op.create_index(index, table, ["state", "severity", due])


def downgrade() -> None:
    for table, _, index in CLAIMS:
        op.drop_index(index, table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("severity")
