"""Splitting an alert group out of a storm (SPEC §5, `POST .../split {group_key}`): the
group and its alerts move into an incident of its own, declared and paged as the group
would have been had it come alone, and both timelines say what moved."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.core.incident import EventKind
from warroom.errors import Conflict, InvalidInput
from warroom.intake.common import digest
from warroom.intake.routing import Alert, AlertStatus, Notification, incident_title, plan
from warroom.intake.storm import retitle
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.schemas import IncidentOut
from warroom.store.intake_models import AlertGroup, AlertRow, Integration
from warroom.store.intake_queries import locked_group
from warroom.store.models import Incident
from warroom.store.queries import incident_by_reference
from warroom.store.storm_queries import latest_group_alerts, move_group_alerts, storm_of


class Split(BaseModel):
    """What a split did: the group, how many alert rows moved, and both incidents."""

    group_key: str
    alerts: int
    storm: IncidentOut
    incident: IncidentOut


def split(ctx: Context, session: Session, reference: str, group_key: str, *, actor: str) -> Split:
    act = incidents.act_on(ctx, session, reference, actor, open_only=False)
    storm = act.incident
    group = _held_group(session, storm, group_key)
    note = _as_notification(group, latest_group_alerts(session, storm.id, group.id))
    planned = plan(ctx.playbook.intake, note, ctx.playbook.services)
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
    own = incident_by_reference(session, declared.reference)
    moved = move_group_alerts(session, group.id, storm.id, own.id)
    group.incident_id, group.updated_at = own.id, act.now
    session.flush()
    integration = session.get(Integration, group.integration_id)
    retitle(session, storm, integration.name if integration else "")
    data = {"group_key": group.group_key, "alerts": moved, "from": storm.reference}
    data["to"] = own.reference
    for incident, direction in ((storm, "out"), (own, "in")):
        moved_data = {**data, "direction": direction}
        kind, now = EventKind.ALERTS_MOVED, act.now
        incidents.record(ctx, session, incident, kind, now, actor, moved_data, now=now)
    return Split(
        group_key=group.group_key,
        alerts=moved,
        storm=incidents.snapshot(ctx, storm),
        incident=incidents.snapshot(ctx, own),
    )


def _held_group(session: Session, storm: Incident, group_key: str) -> AlertGroup:
    found = storm_of(session, storm.id)
    if found is None:
        raise Conflict(
            f"{storm.reference} is not an alert storm incident: only a storm's groups split out",
            "reference",
        )
    group = locked_group(session, found.integration_id, digest(group_key))
    if group is None or group.incident_id != storm.id:
        raise InvalidInput(
            f"the alert storm {storm.reference} holds no alert group {group_key!r}"
            " (its groups are in the incident's alert_groups)",
            "group_key",
        )
    return group


def _as_notification(group: AlertGroup, rows: list[AlertRow]) -> Notification:
    """The group as one notification of its alerts' latest state, routed as it came."""
    alerts = tuple(
        Alert(
            r.source, group.group_key, _status(r.status), r.title, r.labels, r.annotations,
            r.starts_at, r.ends_at, r.fingerprint, r.details,
        )
        for r in rows
    )  # fmt: skip
    source = rows[0].source if rows else "alert"
    title = group.title or (rows[-1].title if rows else "Alert")
    return Notification(source=source, group_key=group.group_key, title=title, alerts=alerts)


def _status(status: str) -> AlertStatus:
    return "resolved" if status == "resolved" else "firing"
