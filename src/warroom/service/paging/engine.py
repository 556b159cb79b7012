"""The live escalation engine: rebuild the planner's state from the database, perform the
steps it says are due (each once, keyed), and keep one timer pending at its next wake-up.

The planner (`core/escalation.py`) decides; this module only performs and remembers. Every
performed step is a row in `escalation_steps` (unique per incident and step key), so a
restart or a second worker never repeats one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from warroom.core.escalation import plan
from warroom.core.escalation_state import (
    MESSAGE_ACTIONS,
    Engagement,
    EscalationState,
    RoleChange,
    SentMessage,
    Step,
    combined_reason,
    message_kind,
    one_message_each,
    performed,
)
from warroom.core.incident import EventKind
from warroom.logs import fields
from warroom.service import jobs
from warroom.service.chat.queue import post_event
from warroom.service.checklist_ticks import tick_what_warroom_did
from warroom.service.context import Context
from warroom.service.paging.texts import compose, compose_briefing
from warroom.service.schedules.overrides import overrides_by_schedule
from warroom.service.timeline import append_event
from warroom.store import engine_queries
from warroom.store.models import Incident, OutboxMessage, TimelineEvent, Timer
from warroom.store.queries import timeline
from warroom.store.session import log_after_commit

log = logging.getLogger("warroom.paging")

TIMER_KIND = "escalation"
ENGINE_ACTOR = "warroom"
REPLAN_EVENTS = frozenset(
    {
        EventKind.DECLARED,
        EventKind.ACKNOWLEDGED,
        EventKind.SEVERITY_CHANGED,
        EventKind.RESOLUTION_ATTEMPT,
        EventKind.UPDATE_POSTED,
        EventKind.ROLE_ASSIGNED,
        EventKind.SME_ENGAGED,
        EventKind.REOPENED,
    }
)
PLANNED_EVENTS = (
    EventKind.RESOLUTION_ATTEMPT,
    EventKind.UPDATE_POSTED,
    EventKind.SEVERITY_CHANGED,
    EventKind.REOPENED,
    EventKind.ROLE_ASSIGNED,
    EventKind.SME_ENGAGED,
)  # the timeline events the planner reads
MAX_ROUNDS = 50  # re-plans per wake-up; a plan converges in a handful


def engaged(incident: Incident) -> bool:
    """Retrospective records page no one; resolved incidents no more. A drill runs the real
    planner, its messages kept in the built-in outbox (see `perform`)."""
    return not (incident.retrospective or incident.status == "resolved")


def outbox_key(incident_id: int, step_key: str) -> str:
    return f"esc:{incident_id}:{step_key}"


def build_state(session: Session, ctx: Context, incident: Incident) -> EscalationState:
    """The planner's view of an incident, from its row, its timeline and its performed
    steps, with the overrides of the playbook's schedules."""
    rows, events = engine_queries.history(session, incident.id, PLANNED_EVENTS)
    failed = tuple(
        e.at
        for e in events
        if e.kind == EventKind.RESOLUTION_ATTEMPT and e.data.get("outcome") == "failed"
    )
    updates = [e.at for e in events if e.kind == EventKind.UPDATE_POSTED]
    changes = [e for e in events if e.kind == EventKind.SEVERITY_CHANGED]
    raised = tuple(e.at for e in changes if int(e.data["to"]) < int(e.data["from"]))
    lowered = tuple(e.at for e in changes if int(e.data["to"]) > int(e.data["from"]))
    return EscalationState(
        severity=incident.severity,
        declared_at=incident.declared_at,
        acknowledged_at=incident.acknowledged_at,
        acknowledged_by=incident.acknowledged_by,
        services=tuple(incident.services),
        resolved_at=incident.resolved_at,
        last_update_at=max(updates) if updates else None,
        failed_attempt_times=failed,
        roles=dict(incident.roles),
        done=frozenset(row.key for row in rows),
        messages=tuple(_sent_message(row) for row in rows if row.action in MESSAGE_ACTIONS),
        severity_raised_at=raised,
        severity_lowered_at=lowered,
        reopened_at=tuple(e.at for e in events if e.kind == EventKind.REOPENED),
        role_changes=tuple(
            RoleChange(e.data["role"], e.data["person"], e.data.get("previous"), e.at)
            for e in events
            if e.kind == EventKind.ROLE_ASSIGNED
        ),
        engagements=tuple(
            Engagement(e.data["sme"], e.at) for e in events if e.kind == EventKind.SME_ENGAGED
        ),
        overrides=overrides_by_schedule(session, ctx.playbook.schedules, incident.declared_at),
    )


def advance(session: Session, ctx: Context, incident: Incident, now: datetime) -> int:
    """Perform everything due for `incident` at `now`, then keep a timer at the next wake-up.

    The caller holds the incident's row lock. Returns the number of steps performed.
    """
    if not engaged(incident):
        return 0
    performed = 0
    state = build_state(session, ctx, incident)
    for _ in range(MAX_ROUNDS):
        current = plan(state, ctx.playbook, now)
        due = [step for step in current.due if step.due_at <= now]
        if not due:
            break
        for group in one_message_each(due):
            after = perform(session, ctx, incident, state, group, now)
            performed += after is not None
            # re-plan from memory; if another worker got there first, from the database
            state = after or build_state(session, ctx, incident)
    if current.next_wake is not None:
        wake(session, incident.id, max(current.next_wake, now), now)
    return performed


def perform(
    session: Session,
    ctx: Context,
    incident: Incident,
    state: EscalationState,
    group: tuple[Step, ...],
    now: datetime,
) -> EscalationState | None:
    """Do a group of steps once (see `one_message_each`): remember each, put each on the
    timeline, and queue one message for the group, naming every reason.

    Returns the state with the steps done, or None when they were already performed.
    """
    carrier = group[0]
    shared_key = outbox_key(incident.id, carrier.key)
    rows = []
    for step in group:
        values = _step_row(incident, step, now, message_kind(state, step))
        if values["outbox_key"] is not None:
            values["outbox_key"] = shared_key
        rows.append(values)
    if not engine_queries.insert_steps(session, rows):
        return None
    for step in group:
        _record_step(session, ctx, incident, state, step, now)
    if carrier.action in MESSAGE_ACTIONS and carrier.method and carrier.address:
        if carrier.action == "briefing":
            events = timeline(session, incident.id)
            subject, body = compose_briefing(ctx, incident, events, shared_key, now)
        else:
            speaking_for_all = replace(carrier, reason=combined_reason(group))
            subject, body = compose(ctx, incident, speaking_for_all, shared_key, now)
        jobs.enqueue(
            session,
            key=shared_key,
            kind=carrier.action,
            method=carrier.method,
            address=carrier.address,
            subject=f"[DRILL] {subject}" if incident.drill else subject,
            body=body,
            now=now,
            incident_id=incident.id,
            person=carrier.person,
            outbox_only=incident.drill,
            may_hold=True,
        )
    for step in group:
        state = performed(state, step, now)
    return state


def _record_step(
    session: Session,
    ctx: Context,
    incident: Incident,
    state: EscalationState,
    step: Step,
    now: datetime,
) -> None:
    """A performed step's timeline events (posted to the war room too) and log line."""
    if step.action == "sla_breached":
        breached = append_event(
            session, incident, EventKind.SLA_BREACHED, now, ENGINE_ACTOR,
            {"sla": step.sla, "reason": step.reason, "due_at": step.due_at.isoformat()},
        )  # fmt: skip
        post_event(session, ctx, incident, breached, now)
    first_for_level = step.action == "notify" and not any(
        m.kind == "notify" and m.level == step.level for m in state.messages
    )
    if first_for_level:
        escalated = append_event(
            session, incident, EventKind.ESCALATED, now, ENGINE_ACTOR,
            {"level": step.level, "trigger": step.reason, "due_at": step.due_at.isoformat()},
        )  # fmt: skip
        post_event(session, ctx, incident, escalated, now)
    line = fields(
        event="escalation_step", reference=incident.reference, step=step.key,
        action=step.action, person=step.person, level=step.level,
        lag_s=f"{(now - step.due_at).total_seconds():.3f}",
    )  # fmt: skip
    log_after_commit(session, log, line)


def wake(session: Session, incident_id: int, at: datetime, now: datetime) -> None:
    """Keep a pending escalation timer at `at` (a cancelled one with that key comes back)."""
    jobs.schedule(
        session,
        key=f"{TIMER_KIND}:{incident_id}:{at.isoformat()}",
        kind=TIMER_KIND,
        due_at=at,
        now=now,
        incident_id=incident_id,
        revive_cancelled=True,
        may_hold=True,
    )


def react(
    session: Session, ctx: Context, incident: Incident, event: TimelineEvent, now: datetime
) -> None:
    """Reaction: every change that moves the plan re-plans now; resolving cancels it all."""
    if event.kind == EventKind.RESOLVED:
        stop(session, incident)
    elif event.kind in REPLAN_EVENTS:
        advance(session, ctx, incident, now)


def stop(session: Session, incident: Incident) -> None:
    """Resolution: no pending wake-up and no undelivered escalation message survives."""
    jobs.cancel_pending(session, incident_id=incident.id, kinds=[TIMER_KIND])
    engine_queries.cancel_pending_messages(
        session, incident.id, f"esc:{incident.id}:", "incident resolved before delivery"
    )


def prepare_timers(session: Session, timers: list[Timer]) -> list[Timer]:
    """A claimed batch's escalation timers, prepared together: their incidents locked in one
    query (in id order, as every worker locks them) and their histories read in two.
    Returns the timers to run now: an incident another transaction holds (a responder
    resolving it, say) is skipped, not waited for, and its timer left due for the next
    turn. Waiting there would be a deadlock: that transaction may be waiting for the
    timer rows this turn has claimed."""
    ids = {t.incident_id for t in timers if t.kind == TIMER_KIND and t.incident_id is not None}
    locked = engine_queries.lock_incidents(session, ids, skip_locked=True)
    engine_queries.prefetch_histories(session, locked, PLANNED_EVENTS)
    return [t for t in timers if t.incident_id in locked or t.incident_id not in ids]


def run_timer(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    """Timer handler: lock the incident, perform what is due, re-arm at the next wake-up."""
    if timer.incident_id is None:
        return
    incident = engine_queries.lock_incident(session, timer.incident_id)
    advance(session, ctx, incident, now)


def next_steps(
    session: Session, ctx: Context, incident: Incident, now: datetime
) -> list[dict[str, Any]]:
    """What the engine will do next and when (the API's countdowns), from the same planner."""
    if not engaged(incident):
        return []
    current = plan(build_state(session, ctx, incident), ctx.playbook, now)
    return [_step_out(step, now) for step in (*current.due, *current.upcoming)]


def delivery_outcome(
    session: Session,
    ctx: Context,
    message: OutboxMessage,
    now: datetime,
    error: str | None,
    final: bool,
) -> None:
    """Every delivery attempt on the timeline; a final failure moves the protocol on at once."""
    prefix = f"esc:{message.incident_id}:"
    if message.incident_id is None or not message.key.startswith(prefix):
        return
    incident = engine_queries.lock_incident(session, message.incident_id)
    data: dict[str, Any] = {
        "message": message.key.removeprefix(prefix),
        "kind": message.kind,
        "person": message.person,
        "method": message.method,
        "address": message.address,
        "attempt": message.attempts,
    }
    if error is None:
        delivery = "recorded" if message.state == "recorded" else "sent"
        sent = append_event(
            session,
            incident,
            EventKind.PAGE_SENT,
            now,
            ENGINE_ACTOR,
            {**data, "delivery": delivery},
        )
        tick_what_warroom_did(session, ctx, incident, sent, now)
        return
    failed = append_event(
        session, incident, EventKind.PAGE_FAILED, now, ENGINE_ACTOR,
        {**data, "error": error, "final": final},
    )  # fmt: skip
    tick_what_warroom_did(session, ctx, incident, failed, now)
    if final:
        engine_queries.mark_failed(session, message.key, now)
        advance(session, ctx, incident, now)


def _step_out(step: Step, now: datetime) -> dict[str, Any]:
    return {
        "key": step.key,
        "due_at": step.due_at,
        "in_seconds": max(0, round((step.due_at - now).total_seconds())),
        "action": step.action,
        "level": step.level,
        "person": step.person,
        "role": step.role,
        "method": step.method,
        "reason": step.reason,
    }


def _sent_message(row: Row[Any]) -> SentMessage:
    return SentMessage(
        key=row.key,
        kind=row.kind or row.action,
        person=row.person or "",
        role=row.role,
        level=row.level,
        contact_index=row.contact_index or 0,
        sent_at=row.performed_at,
        acknowledged_at=row.acknowledged_at,
        failed_at=row.failed_at,
    )


def _step_row(incident: Incident, step: Step, now: datetime, kind: str | None) -> dict[str, Any]:
    has_message = step.action in MESSAGE_ACTIONS and bool(step.method and step.address)
    return {
        "incident_id": incident.id,
        "key": step.key,
        "action": step.action,
        "kind": kind,
        "person": step.person,
        "role": step.role,
        "level": step.level,
        "method": step.method,
        "address": step.address,
        "contact_index": step.contact_index,
        "outbox_key": outbox_key(incident.id, step.key) if has_message else None,
        "due_at": step.due_at,
        "performed_at": now,
    }
