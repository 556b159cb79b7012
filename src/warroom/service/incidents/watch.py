"""Watching an incident: how many events its timeline holds, so a page open on it knows
when something happened without reading the timeline again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from warroom.service.context import Context
from warroom.store.queries import incident_by_reference


def event_count(ctx: Context, session: Session, reference: str) -> int:
    return incident_by_reference(session, reference).event_count
