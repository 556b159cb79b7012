"""Reading what the status page shows: published incidents, their public events, component
overrides, maintenance windows, and the marker that moves on every change to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from warroom.core.incident import EventKind
from warroom.store.models import Incident, TimelineEvent
from warroom.store.status_models import ComponentOverride, Maintenance

# id, reference, public title, severity, status, services, declared at, resolved at
PublishedIncident = Row[int, str, str | None, int, str, list[str], datetime, datetime | None]


def change_marker(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the page shows; it moves on every change."""
    incidents = session.execute(
        select(func.count(Incident.id), func.max(Incident.last_event_at))
    ).one()
    overrides = session.execute(
        select(func.count(ComponentOverride.id), func.max(ComponentOverride.id))
    ).one()
    windows = session.execute(select(func.count(Maintenance.id), func.max(Maintenance.id))).one()
    return (*incidents, *overrides, *windows)


def published_incidents(session: Session, *, since: datetime) -> Sequence[PublishedIncident]:
    """The public columns of published real incidents still open or active since `since`,
    newest first."""
    statement = (
        select(
            Incident.id,
            Incident.reference,
            Incident.public_title,
            Incident.severity,
            Incident.status,
            Incident.services,
            Incident.declared_at,
            Incident.resolved_at,
        )
        .where(
            Incident.drill.is_(False),
            Incident.published_at.is_not(None),
            or_(
                Incident.status != "resolved",
                Incident.resolved_at >= since,
                Incident.declared_at >= since,
            ),
        )
        .order_by(Incident.declared_at.desc(), Incident.id.desc())
    )
    return session.execute(statement).all()


def newest_overrides(session: Session) -> list[ComponentOverride]:
    """The newest override of each component (a cleared one has already expired)."""
    newest = select(func.max(ComponentOverride.id)).group_by(ComponentOverride.component)
    statement = select(ComponentOverride).where(ComponentOverride.id.in_(newest))
    return list(session.execute(statement).scalars())


def maintenances_by_start(session: Session, *, latest_first: bool = False) -> list[Maintenance]:
    """Every maintenance window, earliest start first (or latest first)."""
    starts = Maintenance.starts_at.desc() if latest_first else Maintenance.starts_at
    return list(session.execute(select(Maintenance).order_by(starts)).scalars())


def updates_and_status_changes(
    session: Session, incident_ids: Sequence[int]
) -> list[TimelineEvent]:
    """The updates posted and status changes of these incidents, in timeline order."""
    statement = (
        select(TimelineEvent)
        .where(
            TimelineEvent.incident_id.in_(incident_ids),
            TimelineEvent.kind.in_([EventKind.UPDATE_POSTED, EventKind.STATUS_CHANGED]),
        )
        .order_by(TimelineEvent.incident_id, TimelineEvent.seq)
    )
    return list(session.execute(statement).scalars())
