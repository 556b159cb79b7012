"""alert keys shortened to their first 16 hex digits (64 bits, as Alertmanager's own
fingerprints): the unique (incident, key) index then costs a third as much per insert

Revision ID: 0010_short_alert_keys
Revises: 0009_inbox_group

"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010_short_alert_keys"
down_revision = "0009_inbox_group"
branch_labels = None
depends_on = None

KEPT = 16
alerts = sa.table(
    "alerts",
    sa.column("id", sa.Integer),
    sa.column("fingerprint", sa.String),
    sa.column("status", sa.String),
    sa.column("starts_at", sa.DateTime(timezone=True)),
    sa.column("alert_key", sa.String),
)


def upgrade() -> None:
    """A key was the SHA-256 hex of the alert's identity; its prefix is the new key, so a
    repeat arriving after the upgrade is still known as one."""
    op.execute(alerts.update().values(alert_key=sa.func.substr(alerts.c.alert_key, 1, KEPT)))


def downgrade() -> None:
    """The whole digests again, from each row's fingerprint, status and start."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(alerts.c.id, alerts.c.fingerprint, alerts.c.status, alerts.c.starts_at)
    ).all()
    for row in rows:
        identity = "\x1f".join([row.fingerprint, row.status, _utc(row.starts_at).isoformat()])
        full = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        connection.execute(alerts.update().where(alerts.c.id == row.id).values(alert_key=full))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
