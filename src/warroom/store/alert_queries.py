"""Reading an incident's alerts: one record per fingerprint, its latest row's facts with the
first and last time it was received, newest first, and how many there are."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.core.alert_views import AlertRecord
from warroom.store.intake_models import AlertRow


def latest_alerts(session: Session, incident_id: int, limit: int) -> tuple[list[AlertRecord], int]:
    """The `limit` alerts last received, newest first, and how many alerts (fingerprints)
    the incident holds in all, in one pass over its rows. A fingerprint's rows are its
    notifications (firing, resolved, fired again); the one with the highest id, the last
    inserted, holds its current status."""
    seen = (
        select(
            AlertRow.fingerprint,
            func.min(AlertRow.received_at).label("first_seen"),
            func.max(AlertRow.received_at).label("last_seen"),
            func.max(AlertRow.id).label("latest_id"),
            func.count().over().label("total"),
        )
        .where(AlertRow.incident_id == incident_id)
        .group_by(AlertRow.fingerprint)
        .order_by(func.max(AlertRow.received_at).desc(), func.max(AlertRow.id).desc())
        .limit(limit)
        .subquery()
    )
    statement = (
        select(AlertRow, seen.c.first_seen, seen.c.last_seen, seen.c.total)
        .join(seen, AlertRow.id == seen.c.latest_id)
        .order_by(seen.c.last_seen.desc(), AlertRow.id.desc())
    )
    rows = session.execute(statement).all()
    records = [
        AlertRecord(
            fingerprint=row.fingerprint,
            source=row.source,
            status=row.status,
            title=row.title,
            labels=row.labels,
            annotations=row.annotations,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            first_seen=first_seen,
            last_seen=last_seen,
            details=row.details,
        )
        for row, first_seen, last_seen, _ in rows
    ]
    return records, int(rows[0].total) if rows else 0
