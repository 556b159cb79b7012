"""Alert storms (SPEC §5): past `intake.storm` (that many new incidents of one integration
within its window), a group that would open another incident joins the integration's open
alert-storm incident instead. The storm incident is declared once, so it pages once; a
group of a higher severity raises its severity, which pages the way raising it by hand does.
The count is read from the groups' `opened_at`, in the applier's transaction: a burst
applied in one batch counts each group it opens, and a restart forgets nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from warroom.core.durations import format_duration
from warroom.core.templates import builtin
from warroom.intake.keys import IntegrationInfo
from warroom.intake.routing import Plan
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.store.intake_models import AlertStorm
from warroom.store.models import Incident
from warroom.store.queries import incident_by_reference
from warroom.store.storm_queries import groups_opened_since, held_group_count, open_storm

TITLE = builtin(
    "storm.title",
    "Alert storm: {{ groups }} group{{ '' if groups == 1 else 's' }} from {{ integration }}",
)
SUMMARY = builtin(
    "storm.summary",
    "{{ limit }} alert groups from {{ integration }} opened incidents within {{ within }}"
    " (intake.storm); the groups that came after are held here, paged once."
    " Move one into an incident of its own with: warroom split REFERENCE GROUP_KEY",
)
RAISED = builtin("storm.raised", "a Sev{{ severity }} alert group joined the storm: {{ title }}")


def storm_to_join(
    ctx: Context,
    session: Session,
    integration: IntegrationInfo,
    planned: Plan,
    title: str,
    actor: str,
) -> Incident | None:
    """The storm incident a group that would open a new incident joins, declared if the
    integration has none open; None while the integration is within `intake.storm`."""
    rule = ctx.playbook.intake.storm
    now = ctx.clock.now()
    if groups_opened_since(session, integration.id, now - rule.within) < rule.new_incidents:
        return None
    storm = open_storm(session, integration.id)
    if storm is None:
        return _declare(ctx, session, integration, planned, actor, now)
    if planned.severity < storm.severity:
        reason = RAISED(severity=planned.severity, title=title)
        incidents.change_severity(
            ctx, session, storm.reference, severity=planned.severity, reason=reason, actor=actor
        )
    storm.services = list(dict.fromkeys([*storm.services, *planned.services]))
    return storm


def _declare(
    ctx: Context,
    session: Session,
    integration: IntegrationInfo,
    planned: Plan,
    actor: str,
    now: datetime,
) -> Incident:
    rule = ctx.playbook.intake.storm
    summary = SUMMARY(
        limit=rule.new_incidents, integration=integration.name, within=format_duration(rule.within)
    )
    declared = incidents.declare(
        ctx,
        session,
        incidents.Declaration(
            title=TITLE(groups=1, integration=integration.name),
            severity=planned.severity,
            summary=summary,
            services=planned.services,
            source="alert",
            detected_at=planned.detected_at,
        ),
        actor=actor,
    )
    storm = incident_by_reference(session, declared.reference)
    session.add(AlertStorm(incident_id=storm.id, integration_id=integration.id, opened_at=now))
    return storm


def retitle(session: Session, storm: Incident, integration: str) -> int:
    """Keep the storm's title counting the groups it holds; that count."""
    groups = held_group_count(session, storm.id)
    storm.title = TITLE(groups=groups, integration=integration)
    return groups
