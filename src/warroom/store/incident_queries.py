"""The incidents area's reads: the list, the failed attempts, an incident's messages and
the steps an acknowledgement link speaks for."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.core.incident import EventKind
from warroom.store.engine_models import EscalationStep
from warroom.store.incident_list import IncidentFilter, incidents_after
from warroom.store.models import Incident, OutboxMessage, TimelineEvent


def latest_incidents(
    session: Session, *, status: str, severity: int | None, limit: int
) -> list[Incident]:
    """Incidents newest first: open ones (not resolved), resolved ones, or all."""
    return incidents_after(session, IncidentFilter(status=status, severity=severity), None, limit)


def failed_attempt_count(session: Session, incident_id: int) -> int:
    statement = select(func.count()).where(
        TimelineEvent.incident_id == incident_id,
        TimelineEvent.kind == EventKind.RESOLUTION_ATTEMPT,
        TimelineEvent.data["outcome"].as_string() == "failed",
    )
    return int(session.execute(statement).scalar_one())


def messages_of(session: Session, incident_id: int) -> list[OutboxMessage]:
    """Every message queued for an incident, oldest first."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.incident_id == incident_id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return list(session.execute(statement).scalars())


def message_by_key(session: Session, key: str) -> OutboxMessage | None:
    statement = select(OutboxMessage).where(OutboxMessage.key == key)
    return session.execute(statement).scalar_one_or_none()


def steps_sent_by(session: Session, key: str) -> list[EscalationStep]:
    """The escalation steps one message spoke for: a page and a notification may share it."""
    statement = select(EscalationStep).where(EscalationStep.outbox_key == key)
    return list(session.execute(statement).scalars())
