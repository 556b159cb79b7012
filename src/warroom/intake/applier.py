"""Turning a parsed notification into incident changes: the group's incident declared,
reopened or followed, its new alerts attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from warroom.clock import ensure_utc
from warroom.core.incident import EventKind
from warroom.intake.common import digest
from warroom.intake.keys import IntegrationInfo
from warroom.intake.routing import (
    Alert,
    GroupMove,
    Notification,
    Plan,
    group_move,
    incident_title,
    plan,
    summarise,
)
from warroom.intake.storm import retitle, storm_to_join
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.store import alert_rows
from warroom.store.intake_models import AlertGroup
from warroom.store.intake_queries import known_alert_count, locked_group
from warroom.store.models import Incident
from warroom.store.queries import incident_by_reference
from warroom.store.storm_queries import firing_alert_count, storm_of

ALERT_KEY_DIGITS = 16  # hex digits of an alert's identity kept (migration 0010)
FOLDED = "storm"  # the outcome of a group that joined an alert storm instead of declaring


@dataclass(frozen=True)
class Outcome:
    """What a payload did: the incident it touched (if any) and how."""

    move: str
    reference: str | None
    alerts: int
    dropped: int


def apply(
    ctx: Context, session: Session, integration: IntegrationInfo, note: Notification
) -> Outcome:
    """A notification's changes to its group's incident, in the caller's transaction (the
    inbox's applier, one at a time: `intake_queue.apply_waiting`)."""
    planned = plan(ctx.playbook.intake, note, ctx.playbook.services)
    dropped = len(note.alerts) - len(planned.alerts)
    if not planned.alerts:
        return Outcome("dropped", None, 0, dropped)
    now = ctx.clock.now()
    group_hash = digest(note.group_key)
    group, incident = _group(session, integration, group_hash)
    move = group_move(
        firing=note.action == "trigger" and any(a.status == "firing" for a in planned.alerts),
        incident_resolved_at=incident.resolved_at if incident else None,
        has_incident=incident is not None,
        now=now,
        reopen_window=ctx.playbook.intake.reopen_window,
    )
    if move is GroupMove.IGNORE or (
        incident is not None
        and incident.resolved_at is not None
        and _only_repeats(session, incident, planned)
    ):
        return Outcome(GroupMove.IGNORE, None, 0, dropped)
    if move is GroupMove.REOPEN and incident is not None and storm_of(session, incident.id):
        move = GroupMove.DECLARE  # a resolved storm is over: its groups open afresh
    actor = f"{note.source}:{integration.name}"
    incident, storm = _open(ctx, session, move, incident, note, planned, integration, actor)
    group = _point(session, integration, group, group_hash, note, incident, move, now)
    joined = {"storm_groups": retitle(session, incident, integration.name)} if storm else {}
    acknowledging = note.action == "acknowledge"
    added = (
        0
        if acknowledging
        else _attach(ctx, session, incident, group, planned, note, actor, now, joined)
    )
    _follow(ctx, session, incident, note, actor)
    return Outcome(FOLDED if storm else move, incident.reference, added, dropped)


def _point(
    session: Session,
    integration: IntegrationInfo,
    group: AlertGroup | None,
    group_hash: str,
    note: Notification,
    incident: Incident,
    move: GroupMove,
    now: datetime,
) -> AlertGroup:
    """The group's row pointed at its incident; a group that opens one (or joins a storm
    instead) is counted for `intake.storm` from now."""
    if group is None:
        group = AlertGroup(
            integration_id=integration.id,
            group_hash=group_hash,
            group_key=note.group_key,
            incident_id=incident.id,
            updated_at=now,
        )
        session.add(group)
    elif group.incident_id != incident.id:
        group.incident_id, group.updated_at = incident.id, now
    if move is GroupMove.DECLARE:
        group.opened_at, group.title = now, incident_title(note)
    session.flush()
    return group


def _group(
    session: Session, integration: IntegrationInfo, group_hash: str
) -> tuple[AlertGroup | None, Incident | None]:
    """The group's row, locked, and its incident."""
    group = locked_group(session, integration.id, group_hash)
    return group, session.get(Incident, group.incident_id) if group else None


def alert_key(alert: Alert) -> str:
    """An alert's identity on an incident: the same fingerprint, status and start is a
    repeat. 64 bits, as Alertmanager's own fingerprints: the unique (incident, key) index
    takes each new alert at a random place, and a shorter key keeps that index small."""
    return digest(alert.fingerprint, alert.status, _utc_text(alert.starts_at))[:ALERT_KEY_DIGITS]


@lru_cache(maxsize=4096)
def _utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC, as parsed alerts carry their start; remembered, since the alerts of
    a storm share their starts and formatting an aware timestamp was half of alert_key's
    time."""
    return ensure_utc(moment).isoformat()


def _only_repeats(session: Session, incident: Incident, planned: Plan) -> bool:
    """A resolved incident's group re-notifying alerts it already had (Alertmanager's repeat
    of a still-firing alert) reopens nothing; only an alert firing anew does."""
    keys = {alert_key(a) for a in planned.alerts if a.status == "firing"}
    return known_alert_count(session, incident.id, keys) == len(keys)


def _open(
    ctx: Context,
    session: Session,
    move: GroupMove,
    incident: Incident | None,
    note: Notification,
    planned: Plan,
    integration: IntegrationInfo,
    actor: str,
) -> tuple[Incident, bool]:
    """The incident the notification goes to, and whether it is the storm it joins."""
    if move is GroupMove.DECLARE:
        title = incident_title(note)
        storm = storm_to_join(ctx, session, integration, planned, title, actor)
        if storm is not None:
            return storm, True
        declared = incidents.declare(
            ctx,
            session,
            incidents.Declaration(
                title=incident_title(note),
                severity=planned.severity,
                services=planned.services,
                source="alert",
                detected_at=planned.detected_at,
            ),
            actor=actor,
        )
        return incident_by_reference(session, declared.reference), False
    assert incident is not None
    if move is GroupMove.REOPEN:
        incidents.reopen(
            ctx,
            session,
            incident.reference,
            reason=f"alert group fired again: {incident_title(note)}",
            actor=actor,
        )
    return incident, False


def _attach(
    ctx: Context,
    session: Session,
    incident: Incident,
    group: AlertGroup,
    planned: Plan,
    note: Notification,
    actor: str,
    now: datetime,
    joined: dict[str, int],
) -> int:
    """Insert the alerts not seen before (same fingerprint, status and start: the unique
    alert_key, so a repeat or a concurrent duplicate inserts nothing) in one statement, and
    put one `alert_attached` event summarising them on the timeline."""
    by_key = {alert_key(a): a for a in planned.alerts}
    incident_id, group_id = incident.id, group.id
    rows = [
        (
            incident_id,
            group_id,
            a.source,
            a.fingerprint,
            key,
            a.status,
            a.title,
            a.labels,
            a.annotations,
            a.starts_at,
            a.ends_at,
            now,
            a.details,
        )
        for key, a in by_key.items()
    ]
    inserted = alert_rows.insert_new(ctx.db, session, rows)
    new = [a for key, a in by_key.items() if key in inserted]
    if not new:
        return 0
    data = {"source": note.source, "group_key": note.group_key, **summarise(new), **joined}
    incidents.record(ctx, session, incident, EventKind.ALERT_ATTACHED, now, actor, data, now=now)
    return len(new)


def _follow(
    ctx: Context, session: Session, incident: Incident, note: Notification, actor: str
) -> None:
    """A PagerDuty acknowledge acknowledges; a fully resolved group resolves the incident
    only when the playbook says `auto_resolve`."""
    if incident.status == "resolved":
        return
    if note.action == "acknowledge":
        incidents.acknowledge(ctx, session, incident.reference, actor=actor)
    elif (
        note.all_resolved and ctx.playbook.intake.auto_resolve and _all_resolved(session, incident)
    ):
        incidents.resolve(
            ctx,
            session,
            incident.reference,
            resolution=f"every alert of the group resolved ({note.source})",
            actor=actor,
        )


def _all_resolved(session: Session, incident: Incident) -> bool:
    """One group resolving resolves its own incident; a storm's, only its last one."""
    return storm_of(session, incident.id) is None or firing_alert_count(session, incident.id) == 0
