"""Alert storms' reads and writes: how many groups of an integration opened incidents
lately, its open storm incident, the groups an incident holds, and moving one group's
alerts to another incident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from warroom.core.alert_views import AlertGroupView
from warroom.store.intake_models import AlertGroup, AlertRow, AlertStorm
from warroom.store.models import Incident


def groups_opened_since(session: Session, integration_id: int, since: datetime) -> int:
    """Groups of the integration that opened an incident (or joined a storm) after `since`."""
    statement = (
        select(func.count())
        .select_from(AlertGroup)
        .where(AlertGroup.integration_id == integration_id, AlertGroup.opened_at > since)
    )
    return int(session.execute(statement).scalar_one())


def open_storm(session: Session, integration_id: int) -> Incident | None:
    """The integration's newest open storm incident, under a row lock, if it has one."""
    statement = (
        select(Incident)
        .join(AlertStorm, AlertStorm.incident_id == Incident.id)
        .where(AlertStorm.integration_id == integration_id, Incident.resolved_at.is_(None))
        .order_by(Incident.id.desc())
        .limit(1)
        .with_for_update()
    )
    return session.execute(statement).scalar_one_or_none()


def storm_of(session: Session, incident_id: int) -> AlertStorm | None:
    return session.get(AlertStorm, incident_id)


def held_group_count(session: Session, incident_id: int) -> int:
    """Alert groups whose notifications go to this incident now."""
    statement = (
        select(func.count()).select_from(AlertGroup).where(AlertGroup.incident_id == incident_id)
    )
    return int(session.execute(statement).scalar_one())


def group_views(session: Session, incident_id: int) -> list[AlertGroupView]:
    """The groups whose alerts the incident holds, last received first, each with its
    alerts (fingerprints) and how many of them fire by their latest notification."""
    latest = (
        select(
            AlertRow.group_id,
            func.max(AlertRow.id).label("latest_id"),
            func.min(AlertRow.received_at).label("first_seen"),
        )
        .where(AlertRow.incident_id == incident_id)
        .group_by(AlertRow.group_id, AlertRow.fingerprint)
        .subquery()
    )
    last_seen = func.max(AlertRow.received_at)
    statement = (
        select(
            AlertGroup.group_key,
            AlertGroup.title,
            func.count().label("alerts"),
            func.sum(case((AlertRow.status == "firing", 1), else_=0)).label("firing"),
            func.min(latest.c.first_seen).label("first_seen"),
            last_seen.label("last_seen"),
            func.max(AlertRow.title).label("alert_title"),
        )
        .select_from(latest)
        .join(AlertRow, AlertRow.id == latest.c.latest_id)
        .join(AlertGroup, AlertGroup.id == latest.c.group_id)
        .group_by(AlertGroup.id, AlertGroup.group_key, AlertGroup.title)
        .order_by(last_seen.desc(), AlertGroup.id.desc())
    )
    return [
        AlertGroupView(
            group_key=row.group_key,
            title=row.title or row.alert_title,
            alerts=int(row.alerts),
            firing=int(row.firing or 0),
            first_seen=row.first_seen,
            last_seen=row.last_seen,
        )
        for row in session.execute(statement)
    ]


def latest_group_alerts(session: Session, incident_id: int, group_id: int) -> list[AlertRow]:
    """The group's alerts on the incident, each by its latest notification, oldest first."""
    latest = (
        select(func.max(AlertRow.id))
        .where(AlertRow.incident_id == incident_id, AlertRow.group_id == group_id)
        .group_by(AlertRow.fingerprint)
    )
    statement = select(AlertRow).where(AlertRow.id.in_(latest)).order_by(AlertRow.id)
    return list(session.execute(statement).scalars())


def move_group_alerts(session: Session, group_id: int, from_id: int, to_id: int) -> int:
    """Every alert row of the group on one incident moved to another; how many."""
    statement = (
        update(AlertRow)
        .where(AlertRow.group_id == group_id, AlertRow.incident_id == from_id)
        .values(incident_id=to_id)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def firing_alert_count(session: Session, incident_id: int) -> int:
    """The incident's alerts (fingerprints) whose latest notification fires."""
    latest = (
        select(func.max(AlertRow.id))
        .where(AlertRow.incident_id == incident_id)
        .group_by(AlertRow.fingerprint)
    )
    statement = (
        select(func.count())
        .select_from(AlertRow)
        .where(AlertRow.id.in_(latest), AlertRow.status == "firing")
    )
    return int(session.execute(statement).scalar_one())
