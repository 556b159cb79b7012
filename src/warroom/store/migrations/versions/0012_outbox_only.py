"""outbox rows can be kept in the built-in outbox whatever the playbook's channels: a live
drill's messages are recorded, never sent.

Revision ID: 0012_outbox_only
Revises: 0011_inbox_body_last

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_outbox_only"
down_revision = "0011_inbox_body_last"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(
            sa.Column("outbox_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.drop_column("outbox_only")
