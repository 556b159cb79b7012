"""Incident use cases: one function each, in the transaction its caller gives it, every
change on the timeline; `publishing` makes one public, `investigation` records what was
tried and what it affects."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core import incident as rules
from warroom.core.incident import EventKind
from warroom.core.schedules import holders_at
from warroom.errors import Conflict, InvalidInput
from warroom.logs import fields
from warroom.service.context import Context
from warroom.service.reactions import after_change
from warroom.service.schedules.overrides import overrides_by_schedule
from warroom.service.schemas import IncidentOut
from warroom.service.timeline import append_event
from warroom.store.job_queries import follow_severity
from warroom.store.models import Incident, TimelineEvent
from warroom.store.queries import incident_by_reference, next_reference_number
from warroom.store.session import log_after_commit

log = logging.getLogger("warroom.incidents")


def record(
    ctx: Context,
    session: Session,
    incident: Incident,
    kind: str,
    at: datetime,
    actor: str,
    data: dict[str, Any] | None = None,
    *,
    now: datetime,
) -> TimelineEvent:
    """Append an event and let every area react to it, all in the caller's transaction."""
    event = append_event(session, incident, kind, at, actor, data, recorded_at=now)
    session.flush()
    line = fields(event=kind, reference=incident.reference, actor=actor, at=at.isoformat())
    log_after_commit(session, log, line)
    after_change(session, ctx, incident, event, now)
    return event


def snapshot(ctx: Context, incident: Incident) -> IncidentOut:
    return IncidentOut.of(incident, ctx.playbook.severities[incident.severity].name)


@dataclass(frozen=True)
class Declaration:
    """What someone declares: the incident's title, severity and what is known so far.
    `at` backdates a retrospective declaration; `detected_at` is when the problem began to
    show (an alert's start), if earlier."""

    title: str
    severity: int
    summary: str = ""
    services: Sequence[str] = ()
    source: str = "manual"
    at: datetime | None = None
    drill: bool = False
    detected_at: datetime | None = None


def declare(ctx: Context, session: Session, declaration: Declaration, *, actor: str) -> IncidentOut:
    """Declare an incident: reference, chat channel, role holders, the `declared` event."""
    title = rules.require_text(declaration.title, "title", rules.TITLE_MAX)
    summary, services, source = declaration.summary, declaration.services, declaration.source
    severity, drill, at = declaration.severity, declaration.drill, declaration.at
    detected_at = declaration.detected_at
    rules.check_texts(summary=summary, source=source)
    rules.check_severity(ctx.playbook, severity)
    check_services(ctx, services)
    now = ctx.clock.now()
    declared_at = rules.event_time(at, now, None)
    day = declared_at.date()
    sequence = next_reference_number(session, day.isoformat())
    incident = Incident(
        reference=rules.reference_for(day, sequence),
        channel=rules.channel_for(ctx.playbook.communication.channel_name, day, sequence),
        title=title,
        summary=(summary or "").strip(),
        severity=severity,
        status="investigating",
        source=source,
        services=list(dict.fromkeys(services)),
        roles=_holders_at(ctx, session, declared_at),
        impact={},
        drill=drill,
        retrospective=at is not None,
        detected_at=detected_at or declared_at,
        declared_at=declared_at,
        last_event_at=declared_at,
        event_count=0,
    )
    session.add(incident)
    session.flush()
    record(
        ctx,
        session,
        incident,
        EventKind.DECLARED,
        declared_at,
        actor,
        {
            "title": incident.title,
            "severity": severity,
            "summary": incident.summary,
            "services": incident.services,
            "roles": incident.roles,
            "source": source,
            "drill": drill,
            "retrospective": incident.retrospective,
        },
        now=now,
    )
    if severity in ctx.playbook.communication.status_page.auto_publish and not drill:
        _auto_publish(ctx, session, incident, actor, now)
    return snapshot(ctx, incident)


def _holders_at(ctx: Context, session: Session, at: datetime) -> dict[str, str]:
    """The role holders at declaration: a role whose primary is a schedule goes to whoever
    is on call then, and keeps them while the incident lasts (a handoff does not move it)."""
    schedules = ctx.playbook.schedules
    overrides = overrides_by_schedule(session, schedules, at)
    return holders_at(schedules, overrides, ctx.playbook.primaries(), at)


def _auto_publish(
    ctx: Context, session: Session, incident: Incident, actor: str, now: datetime
) -> None:
    """The playbook made this severity public from its declaration, under a generic title:
    the declared title may come from an alert and name hosts."""
    title = ctx.playbook.communication.status_page.public_titles[incident.severity]
    incident.published_at = incident.declared_at
    incident.public_title = title
    data = {"public_title": title, "auto_publish": True}
    record(ctx, session, incident, EventKind.PUBLISHED, incident.declared_at, actor, data, now=now)


def acknowledge(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    actor: str,
    person: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    """First acknowledgement stops the clock on the response SLA; later ones change nothing."""
    if person is not None:
        check_person(ctx, person, "person")
    act = act_on(ctx, session, reference, actor)
    if act.incident.acknowledged_at is not None:
        return act.snapshot()
    moment = act.moment(at)
    act.incident.acknowledged_at = moment
    act.incident.acknowledged_by = person or actor
    return act.record(EventKind.ACKNOWLEDGED, moment, {"person": person})


def change_status(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    status: str,
    actor: str,
    note: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    rules.check_texts(note=note)
    act = act_on(ctx, session, reference, actor, open_only=False)
    rules.check_status_move(act.incident.status, status, note)
    moment = act.moment(at)
    previous, act.incident.status = act.incident.status, status
    if status in ("mitigating", "monitoring") and act.incident.mitigated_at is None:
        act.incident.mitigated_at = moment
    data = {"from": previous, "to": status, "note": note}
    return act.record(EventKind.STATUS_CHANGED, moment, data)


def change_severity(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    severity: int,
    reason: str,
    actor: str,
    at: datetime | None = None,
) -> IncidentOut:
    rules.check_severity(ctx.playbook, severity)
    reason = rules.require_text(reason, "reason")
    act = act_on(ctx, session, reference, actor)
    if severity == act.incident.severity:
        raise Conflict(f"the incident is already severity {severity}", "severity")
    moment = act.moment(at)
    previous, act.incident.severity = act.incident.severity, severity
    follow_severity(session, act.incident.id, severity)
    data = {"from": previous, "to": severity, "reason": reason}
    return act.record(EventKind.SEVERITY_CHANGED, moment, data)


def assign_role(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    role: str,
    person: str,
    actor: str,
    at: datetime | None = None,
) -> IncidentOut:
    if role in ctx.playbook.smes:
        raise InvalidInput(f"{role} is an SME, not a role: engage it (warroom engage)", "role")
    if role not in ctx.playbook.roles:
        known = ", ".join(ctx.playbook.roles)
        raise InvalidInput(f"unknown role {role!r} (known: {known})", "role")
    check_person(ctx, person, "person")
    act = act_on(ctx, session, reference, actor)
    moment = act.moment(at)
    previous = act.incident.roles.get(role)
    act.incident.roles = {**act.incident.roles, role: person}
    data = {"role": role, "person": person, "previous": previous}
    return act.record(EventKind.ROLE_ASSIGNED, moment, data)


def engage(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    sme: str,
    actor: str,
    at: datetime | None = None,
) -> IncidentOut:
    """Call in a subject matter expert: the engine pages them under the contact protocol."""
    if sme not in ctx.playbook.smes:
        known = ", ".join(ctx.playbook.smes) or "none"
        raise InvalidInput(f"unknown SME {sme!r} (known: {known})", "sme")
    act = act_on(ctx, session, reference, actor)
    data = {"sme": sme, "person": ctx.playbook.smes[sme].primary}
    return act.record(EventKind.SME_ENGAGED, act.moment(at), data)


def resolve(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    resolution: str,
    actor: str,
    root_cause: str | None = None,
    prevention: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    resolution = rules.require_text(resolution, "resolution")
    rules.check_texts(root_cause=root_cause, prevention=prevention)
    act = act_on(ctx, session, reference, actor)
    moment = act.moment(at)
    incident = act.incident
    incident.status = "resolved"
    incident.resolved_at = moment
    incident.mitigated_at = incident.mitigated_at or moment
    incident.resolution = resolution
    incident.root_cause = root_cause
    data = {"resolution": resolution, "root_cause": root_cause, "prevention": prevention}
    return act.record(EventKind.RESOLVED, moment, data)


def reopen(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    reason: str,
    actor: str,
    at: datetime | None = None,
) -> IncidentOut:
    reason = rules.require_text(reason, "reason")
    act = act_on(ctx, session, reference, actor, open_only=False)
    if act.incident.status != "resolved":
        raise Conflict("only a resolved incident can be reopened", "reference")
    moment = act.moment(at)
    act.incident.status = "investigating"
    act.incident.resolved_at = None
    return act.record(EventKind.REOPENED, moment, {"reason": reason})


@dataclass
class Act:
    """One change to one locked incident: when it happens, and its timeline event."""

    ctx: Context
    session: Session
    incident: Incident
    actor: str
    now: datetime

    def moment(self, at: datetime | None) -> datetime:
        return rules.event_time(at, self.now, self.incident.last_event_at)

    def record(self, kind: str, moment: datetime, data: dict[str, Any]) -> IncidentOut:
        record(self.ctx, self.session, self.incident, kind, moment, self.actor, data, now=self.now)
        return self.snapshot()

    def snapshot(self) -> IncidentOut:
        return snapshot(self.ctx, self.incident)


def act_on(
    ctx: Context, session: Session, reference: str, actor: str, *, open_only: bool = True
) -> Act:
    """Load an incident under a row lock in the caller's transaction; most actions are
    refused once it is resolved."""
    incident = incident_by_reference(session, reference, lock=True)
    if open_only:
        rules.check_open(incident.status)
    return Act(ctx, session, incident, actor, ctx.clock.now())


def check_person(ctx: Context, person: str, field: str) -> None:
    if person not in ctx.playbook.people:
        raise InvalidInput(f"{person!r} is not a person in the playbook", field)


def check_services(ctx: Context, services: Sequence[str]) -> None:
    unknown = [s for s in services if s not in ctx.playbook.services]
    if unknown:
        known = ", ".join(ctx.playbook.services)
        raise InvalidInput(f"unknown service(s) {', '.join(unknown)} (known: {known})", "services")
