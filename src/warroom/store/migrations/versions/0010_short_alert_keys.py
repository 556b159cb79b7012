"""alert keys shortened to their first 16 hex digits (64 bits, as Alertmanager's own
fingerprints): the unique (incident, key) index then costs a third as much per insert

Revision ID: 0010_short_alert_keys
Revises: 0009_inbox_group

"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from warroom.intake.common import digest
from warroom.store.models import UTCDateTime

revision = "0010_short_alert_keys"
down_revision = "0009_inbox_group"
branch_labels = None
depends_on = None

KEPT = 16
PAGE = 10_000  # rows read and rewritten at a time by the downgrade
alerts = sa.table(
    "alerts",
    sa.column("id", sa.Integer),
    sa.column("fingerprint", sa.String),
    sa.column("status", sa.String),
    sa.column("starts_at", UTCDateTime),
    sa.column("alert_key", sa.String),
)


def upgrade() -> None:
    """A key was the SHA-256 hex of the alert's identity; its prefix is the new key, so a
    repeat arriving after the upgrade is still known as one."""
    op.execute(alerts.update().values(alert_key=sa.func.substr(alerts.c.alert_key, 1, KEPT)))


def downgrade() -> None:
    """The whole digests again, from each row's fingerprint, status and start, a page of
    rows at a time (each page rewritten by one executemany)."""
    connection = op.get_bind()
    last = 0
    while rows := connection.execute(
        sa.select(alerts.c.id, alerts.c.fingerprint, alerts.c.status, alerts.c.starts_at)
        .where(alerts.c.id > last)
        .order_by(alerts.c.id)
        .limit(PAGE)
    ).all():
        connection.execute(
            alerts.update().where(alerts.c.id == sa.bindparam("row_id")),
            [{"row_id": row.id, "alert_key": _whole_key(row)} for row in rows],
        )
        last = rows[-1].id


def _whole_key(row: sa.Row[Any, Any, Any, Any]) -> str:
    """As `service.intake.alert_key` made it before 0010: the whole digest."""
    return digest(row.fingerprint, row.status, row.starts_at.isoformat())
