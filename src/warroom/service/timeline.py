"""The timeline: the one way anything reaches an incident's record (appended, numbered,
never edited). A leaf every area uses; it knows nothing of what reacts to an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.store.models import Incident, TimelineEvent


def append_event(
    session: Session,
    incident: Incident,
    kind: str,
    at: datetime,
    actor: str,
    data: dict[str, Any] | None = None,
    *,
    recorded_at: datetime | None = None,
) -> TimelineEvent:
    """The one way anything reaches a timeline: appended, numbered, never edited."""
    incident.event_count += 1
    incident.last_event_at = max(incident.last_event_at, at)
    event = TimelineEvent(
        incident_id=incident.id,
        seq=incident.event_count,
        at=at,
        recorded_at=recorded_at or at,
        actor=actor,
        kind=str(kind),
        data=data or {},
    )
    session.add(event)
    return event
