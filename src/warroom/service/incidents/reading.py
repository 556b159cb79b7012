"""Reading incidents: one with its alerts, pages, escalations and next steps; the list;
the timeline. Reads only, on the database's read path."""

from __future__ import annotations

from sqlalchemy import select

from warroom.core import incident as rules
from warroom.core.incident import EventKind
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import snapshot
from warroom.service.paging.engine import next_steps
from warroom.service.schemas import EventOut, IncidentDetail, IncidentOut
from warroom.store.models import Incident
from warroom.store.queries import incident_by_reference, timeline

PAGE_KINDS = {EventKind.PAGE_SENT, EventKind.PAGE_FAILED, EventKind.PAGE_ACKNOWLEDGED}


def get_incident(ctx: Context, reference: str) -> IncidentDetail:
    with ctx.db.reader() as session:
        incident = incident_by_reference(session, reference)
        events = timeline(session, incident.id)
        base = snapshot(ctx, incident).model_dump()

        return IncidentDetail(
            **base,
            alerts=[e.data for e in events if e.kind == EventKind.ALERT_ATTACHED],
            pages=[{"kind": e.kind, "at": e.at, **e.data} for e in events if e.kind in PAGE_KINDS],
            escalations=[{"at": e.at, **e.data} for e in events if e.kind == EventKind.ESCALATED],
            next_steps=next_steps(session, ctx, incident, ctx.clock.now()),
        )


def list_incidents(
    ctx: Context, *, status: str = "open", severity: int | None = None, limit: int = 500
) -> list[IncidentOut]:
    if status not in ("open", "resolved", "all"):
        raise InvalidInput("status is open, resolved or all", "status")
    if severity is not None:
        rules.check_severity(ctx.playbook, severity)
    statement = select(Incident).order_by(Incident.declared_at.desc(), Incident.id.desc())
    if status == "open":
        statement = statement.where(Incident.status != "resolved")
    elif status == "resolved":
        statement = statement.where(Incident.status == "resolved")
    if severity is not None:
        statement = statement.where(Incident.severity == severity)
    with ctx.db.reader() as session:
        rows = session.execute(statement.limit(limit)).scalars()
        return [snapshot(ctx, incident) for incident in rows]


def get_timeline(ctx: Context, reference: str) -> list[EventOut]:
    with ctx.db.reader() as session:
        incident = incident_by_reference(session, reference)
        return [EventOut.of(event) for event in timeline(session, incident.id)]
