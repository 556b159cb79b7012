"""Reading post-mortems and action items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.store.models import Incident
from warroom.store.post_models import ActionItem, Postmortem


def postmortem_of(session: Session, incident_id: int | None) -> Postmortem | None:
    if incident_id is None:
        return None
    statement = select(Postmortem).where(Postmortem.incident_id == incident_id)
    return session.execute(statement).scalar_one_or_none()


def action_items_of(session: Session, incident_id: int) -> list[ActionItem]:
    """An incident's action items, oldest first."""
    statement = (
        select(ActionItem).where(ActionItem.incident_id == incident_id).order_by(ActionItem.id)
    )
    return list(session.execute(statement).scalars())


def action_items_with_references(
    session: Session,
    *,
    open_before: datetime | None = None,
    status: str | None = None,
    incident_id: int | None = None,
) -> list[tuple[ActionItem, str]]:
    """Action items with their incident's reference, soonest due first: those still open
    past `open_before`, of `status`, of one incident, as asked."""
    statement = (
        select(ActionItem, Incident.reference)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .order_by(ActionItem.due_at, ActionItem.id)
    )
    if open_before is not None:
        statement = statement.where(ActionItem.status == "open", ActionItem.due_at < open_before)
    if status is not None:
        statement = statement.where(ActionItem.status == status)
    if incident_id is not None:
        statement = statement.where(ActionItem.incident_id == incident_id)
    return [(item, reference) for item, reference in session.execute(statement).all()]
