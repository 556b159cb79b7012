"""Reading incidents: one with its alerts, pages, escalations and next steps; the list;
the timeline. Reads only: the boundary runs them on the database's read path."""

from __future__ import annotations

from sqlalchemy.orm import Session

from warroom.core import incident as rules
from warroom.core.incident import EventKind
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.service.incidents.checklist import checklist_of
from warroom.service.incidents.lifecycle import snapshot
from warroom.service.incidents.war_room import war_room_fields
from warroom.service.paging.engine import next_steps
from warroom.service.schemas import EventOut, IncidentDetail, IncidentOut, PostmortemBrief
from warroom.store.incident_queries import latest_incidents
from warroom.store.models import Incident
from warroom.store.post_queries import postmortem_of
from warroom.store.queries import incident_by_reference, timeline

PAGE_KINDS = {EventKind.PAGE_SENT, EventKind.PAGE_FAILED, EventKind.PAGE_ACKNOWLEDGED}


def get_incident(ctx: Context, session: Session, reference: str) -> IncidentDetail:
    incident = incident_by_reference(session, reference)
    events = timeline(session, incident.id)
    base = snapshot(ctx, incident).model_dump()

    return IncidentDetail(
        **base,
        **war_room_fields(ctx, session, incident),
        pages=[{"kind": e.kind, "at": e.at, **e.data} for e in events if e.kind in PAGE_KINDS],
        escalations=[{"at": e.at, **e.data} for e in events if e.kind == EventKind.ESCALATED],
        next_steps=next_steps(session, ctx, incident, ctx.clock.now()),
        postmortem=_postmortem_brief(session, incident),
        checklist=checklist_of(ctx, incident),
    )


def _postmortem_brief(session: Session, incident: Incident) -> PostmortemBrief | None:
    found = postmortem_of(session, incident.id)
    if found is None:
        return None
    return PostmortemBrief(status=found.status, owner=found.owner, due_at=found.due_at)


def list_incidents(
    ctx: Context,
    session: Session,
    *,
    status: str = "open",
    severity: int | None = None,
    limit: int = 500,
) -> list[IncidentOut]:
    if status not in ("open", "resolved", "all"):
        raise InvalidInput("status is open, resolved or all", "status")
    if severity is not None:
        rules.check_severity(ctx.playbook, severity)
    rows = latest_incidents(session, status=status, severity=severity, limit=limit)
    return [snapshot(ctx, incident) for incident in rows]


def get_timeline(ctx: Context, session: Session, reference: str) -> list[EventOut]:
    incident = incident_by_reference(session, reference)
    return [EventOut.of(event, ctx.playbook) for event in timeline(session, incident.id)]
