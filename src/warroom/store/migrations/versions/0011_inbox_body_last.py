"""intake inbox rows keep the payload's body last, after group_hash: on SQLite a column
stored after a large value is read by walking that value's overflow pages, and the search
of a backlog for groups with no open incident reads every waiting row's group_hash
(bench/MEASUREMENTS.md). PostgreSQL
keeps large values out of line (TOAST): there the order costs nothing and is left alone.

Revision ID: 0011_inbox_body_last
Revises: 0010_short_alert_keys

"""

from __future__ import annotations

from alembic import op

revision = "0011_inbox_body_last"
down_revision = "0010_short_alert_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _order("group_hash", "body")


def downgrade() -> None:
    _order("body", "group_hash")


def _order(first: str, then: str) -> None:
    """Copy the inbox into a table with `first` before `then` (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "intake_inbox", recreate="always", partial_reordering=[(first, then)]
    ):
        pass
