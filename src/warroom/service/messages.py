"""The playbook's three message templates, rendered from an incident's current state."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import jinja2

from warroom.core.durations import humanize
from warroom.core.incident import EventKind
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.store.models import Incident, TimelineEvent
from warroom.store.queries import incident_by_reference, timeline

MessageKind = Literal["initial", "update", "resolution"]
MESSAGE_KINDS: tuple[MessageKind, ...] = ("initial", "update", "resolution")
_environment = jinja2.Environment(autoescape=False, undefined=jinja2.ChainableUndefined)


def render_message(ctx: Context, reference: str, kind: str) -> str:
    if kind not in MESSAGE_KINDS:
        raise InvalidInput(f"unknown message {kind!r}; use initial, update or resolution", "kind")
    with ctx.db.reader() as session:
        incident = incident_by_reference(session, reference)
        events = timeline(session, incident.id)
        return render_for(ctx, incident, events, kind)


def render_for(ctx: Context, incident: Incident, events: list[TimelineEvent], kind: str) -> str:
    template = getattr(ctx.playbook.communication.templates, kind)
    fields = message_fields(ctx, incident, events)
    return _environment.from_string(template).render(**fields)


def message_fields(ctx: Context, incident: Incident, events: list[TimelineEvent]) -> dict[str, Any]:
    playbook = ctx.playbook
    severity = playbook.severities[incident.severity]
    latest_update = _last(events, EventKind.UPDATE_POSTED)
    resolved = _last(events, EventKind.RESOLVED) if incident.status == "resolved" else None
    update_data = latest_update.data if latest_update else {}
    resolved_data = resolved.data if resolved else {}
    now = ctx.clock.now()
    end = incident.resolved_at or now
    return {
        "reference": incident.reference,
        "title": incident.title,
        "channel": incident.channel,
        "severity": incident.severity,
        "severity_label": f"Sev{incident.severity} ({severity.name})",
        "start_time": _stamp(incident.declared_at),
        "summary": incident.summary or incident.title,
        "impact": _impact_text(incident),
        "update_every": humanize(severity.update_every),
        "status_page_url": playbook.communication.status_page.url,
        "time": _stamp(incident.resolved_at or (latest_update.at if latest_update else now)),
        "status": incident.status,
        "progress": update_data.get("message") or "Investigation under way",
        "next_steps": update_data.get("next_steps") or "Continuing investigation",
        "eta": update_data.get("eta") or "Not yet known",
        "duration": humanize(end - incident.declared_at),
        "resolution": incident.resolution or "",
        "root_cause": incident.root_cause or "Under investigation",
        "prevention": resolved_data.get("prevention") or "To be agreed at the post-mortem",
        "postmortem_at": _stamp(end + playbook.post_incident.postmortem_due),
    }


def _impact_text(incident: Incident) -> str:
    impact = incident.impact
    parts = []
    if impact.get("affected_users_pct") is not None:
        parts.append(f"{impact['affected_users_pct']:g}% of users affected")
    if impact.get("business_impact"):
        parts.append(str(impact["business_impact"]))
    if incident.services:
        parts.append("services: " + ", ".join(incident.services))
    return "; ".join(parts) or "Under assessment"


def _last(events: list[TimelineEvent], kind: str) -> TimelineEvent | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
