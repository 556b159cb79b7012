"""The playbook's three message templates, rendered from an incident's current state, and
what stands in for a template that fails at run time."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from warroom.core.durations import humanize
from warroom.core.incident import EventKind
from warroom.core.templates import TemplateFailed, render, template_path
from warroom.errors import Conflict, InvalidInput
from warroom.service.context import Context
from warroom.store.models import Incident, TimelineEvent
from warroom.store.queries import incident_by_reference, timeline

MessageKind = Literal["initial", "update", "resolution"]
MESSAGE_KINDS: tuple[MessageKind, ...] = ("initial", "update", "resolution")
log = logging.getLogger("warroom.templates")


class FailedTemplates:
    """The template failures this process has logged: a template that fails on every page
    view and every notification is logged once, not once a request."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def first(self, failure: TemplateFailed) -> bool:
        with self._lock:
            new = str(failure) not in self._seen
            self._seen.add(str(failure))
        return new


# What stands in for a playbook template that failed: built-in, so it cannot fail itself.
FALLBACK = (
    "Incident {{ reference }}: this message could not be written; the playbook template "
    "{{ template }} failed to render ({{ reason }})."
)
RENDER_ERROR = "Render error in {{ template }}: {{ reason }}"


def failure_text(ctx: Context, failure: TemplateFailed, reference: str, notice: str) -> str:
    """Log a run-time template failure and return `notice` (FALLBACK or RENDER_ERROR) to
    show or send in place of the message."""
    log_failure(ctx, failure, reference)
    fields = {"reference": reference, "template": failure.path, "reason": failure.reason}
    return render("(built-in notice)", notice, fields)


def log_failure(ctx: Context, failure: TemplateFailed, reference: str) -> None:
    """One log line per distinct failure in this process's life."""
    if ctx.runtime.part(FailedTemplates).first(failure):
        log.warning(
            "event=template_failed template=%s incident=%s reason=%s",
            failure.path,
            reference,
            failure.reason,
        )


def render_message(ctx: Context, session: Session, reference: str, kind: str) -> str:
    """The message `kind` of an incident; a template that fails is a Conflict naming it."""
    try:
        return _render_stored(ctx, session, reference, kind)
    except TemplateFailed as exc:
        log_failure(ctx, exc, reference)
        raise Conflict(f"the message cannot be written: {exc}", "kind") from exc


def message_or_error(ctx: Context, session: Session, reference: str, kind: str) -> str:
    """The message `kind` to show a responder, or the render error in its place."""
    try:
        return _render_stored(ctx, session, reference, kind)
    except TemplateFailed as exc:
        return failure_text(ctx, exc, reference, RENDER_ERROR)


def _render_stored(ctx: Context, session: Session, reference: str, kind: str) -> str:
    if kind not in MESSAGE_KINDS:
        raise InvalidInput(f"unknown message {kind!r}; use initial, update or resolution", "kind")
    incident = incident_by_reference(session, reference)
    return render_for(ctx, incident, timeline(session, incident.id), kind)


def render_for(ctx: Context, incident: Incident, events: list[TimelineEvent], kind: str) -> str:
    """The message `kind`; raises TemplateFailed when the playbook's template cannot render."""
    template = getattr(ctx.playbook.communication.templates, kind)
    return render(template_path(kind), template, message_fields(ctx, incident, events))


def render_or_fallback(
    ctx: Context, incident: Incident, events: list[TimelineEvent], kind: str
) -> str:
    """The message `kind` to send: when its template fails, a plain notice naming the
    template goes out instead, so a broken template never stops a notification."""
    try:
        return render_for(ctx, incident, events, kind)
    except TemplateFailed as exc:
        return failure_text(ctx, exc, incident.reference, FALLBACK)


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
