"""incident list: an index on (declared_at, id), the list's sort key, for keyset pages

Revision ID: 0018_incident_list_index
Revises: 0017_reports

"""

from __future__ import annotations

from alembic import op

revision = "0018_incident_list_index"
down_revision = "0017_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incidents_declared_at_id", "incidents", ["declared_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_incidents_declared_at_id", table_name="incidents")
