"""intake inbox rows name their alert group, so a group with no open incident (a new page)
can be applied ahead of a backlog

Revision ID: 0009_inbox_group
Revises: 0008_intake_inbox

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_inbox_group"
down_revision = "0008_intake_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("intake_inbox") as table:
        table.add_column(sa.Column("group_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("intake_inbox") as table:
        table.drop_column("group_hash")
