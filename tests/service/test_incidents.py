"""Incident use cases (SPEC §3) on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from warroom.clock import ManualClock
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.service.context import Context
from warroom.service.incidents import investigation, publishing, reading
from warroom.service.incidents import lifecycle as incidents
from warroom.service.messages import render_message

ACTOR = "test"


def _declare(ctx: Context, severity: int = 1, **extra: object) -> str:
    declared = incidents.Declaration(title="API down", severity=severity, **extra)  # type: ignore[arg-type]
    incident = ctx.transact(incidents.declare, declared, actor=ACTOR)
    return incident.reference


def _kinds(ctx: Context, reference: str) -> list[str]:
    """The timeline's kinds, the checklist's ticks aside (tests/service/test_checklist.py)."""
    events = ctx.read(reading.get_timeline, reference)
    return [event.kind for event in events if event.kind != "checklist_ticked"]


def test_a_sev1_is_declared_with_the_reference_and_channel_of_its_utc_day(ctx: Context) -> None:
    incident = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="API down", severity=1, services=["api"]),
        actor=ACTOR,
    )
    assert incident.reference == "2024-01-15-001"
    assert incident.channel == "incident-2024-01-15-001"
    assert incident.status == "investigating"
    assert incident.services == ["api"]
    assert incident.declared_at == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
    assert _kinds(ctx, incident.reference) == ["declared"]


def test_the_sequence_restarts_each_utc_day(ctx: Context, clock: ManualClock) -> None:
    assert _declare(ctx) == "2024-01-15-001"
    assert _declare(ctx) == "2024-01-15-002"
    clock.advance(timedelta(hours=14))
    assert _declare(ctx) == "2024-01-16-001"


def test_fifty_racing_declarations_get_fifty_distinct_references(ctx: Context) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        references = list(pool.map(lambda _: _declare(ctx, severity=2), range(50)))
    assert len(set(references)) == 50
    assert sorted(references) == [f"2024-01-15-{n:03d}" for n in range(1, 51)]


def test_every_change_appends_to_the_timeline_in_order(ctx: Context, clock: ManualClock) -> None:
    ref = _declare(ctx)
    steps = [
        lambda: ctx.transact(incidents.acknowledge, ref, actor=ACTOR, person="sre-lead"),
        lambda: ctx.transact(
            incidents.assign_role, ref, role="technical_lead", person="devops-lead", actor=ACTOR
        ),
        lambda: ctx.transact(
            investigation.assess_impact,
            ref,
            affected_users_pct=60,
            services=["api"],
            business_impact="checkout down",
            actor=ACTOR,
        ),
        lambda: ctx.transact(
            publishing.post_update,
            ref,
            message="rolling back",
            audience="public",
            public_title="Checkout problems",
            actor=ACTOR,
        ),
        lambda: ctx.transact(
            investigation.record_attempt,
            ref,
            action="rollback",
            outcome="failed",
            hypothesis="bad deploy",
            actor=ACTOR,
        ),
        lambda: ctx.transact(
            incidents.change_severity, ref, severity=2, reason="partial", actor=ACTOR
        ),
        lambda: ctx.transact(incidents.change_status, ref, status="mitigating", actor=ACTOR),
        lambda: ctx.transact(
            incidents.resolve, ref, resolution="restarted", root_cause="leak", actor=ACTOR
        ),
        lambda: ctx.transact(incidents.reopen, ref, reason="errors back", actor=ACTOR),
    ]
    for step in steps:
        clock.advance(timedelta(minutes=1))
        step()
    events = ctx.read(reading.get_timeline, ref)
    assert [e.kind for e in events] == [
        "declared",
        *["checklist_ticked"] * 4,  # the incident, severity, channel and timeline
        "acknowledged",
        "role_assigned",
        "impact_assessed",
        *["checklist_ticked"] * 3,  # affected users, services, business impact
        "published",
        "update_posted",
        "resolution_attempt",
        "severity_changed",
        "status_changed",
        "resolved",
        "postmortem_created",
        "checklist_ticked",  # gather the timeline
        "reopened",
    ]
    assert [e.seq for e in events] == list(range(1, 21))
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_the_times_that_metrics_need_are_kept(ctx: Context, clock: ManualClock) -> None:
    ref = _declare(ctx)
    clock.advance(timedelta(minutes=7))
    ctx.transact(incidents.acknowledge, ref, actor=ACTOR)
    clock.advance(timedelta(minutes=20))
    ctx.transact(incidents.change_status, ref, status="mitigating", actor=ACTOR)
    clock.advance(timedelta(minutes=30))
    ctx.transact(incidents.resolve, ref, resolution="fixed", actor=ACTOR)
    got = ctx.read(reading.get_incident, ref)
    assert got.acknowledged_at is not None and got.mitigated_at is not None
    assert got.resolved_at is not None
    assert got.acknowledged_at - got.declared_at == timedelta(minutes=7)
    assert got.mitigated_at - got.declared_at == timedelta(minutes=27)
    assert got.resolved_at - got.declared_at == timedelta(minutes=57)


def test_a_second_acknowledgement_changes_nothing(ctx: Context, clock: ManualClock) -> None:
    ref = _declare(ctx)
    ctx.transact(incidents.acknowledge, ref, actor=ACTOR, person="sre-lead")
    clock.advance(timedelta(minutes=3))
    again = ctx.transact(incidents.acknowledge, ref, actor=ACTOR, person="eng-manager")
    assert again.acknowledged_by == "sre-lead"
    assert _kinds(ctx, ref).count("acknowledged") == 1


def test_a_refused_change_writes_nothing(ctx: Context) -> None:
    ref = _declare(ctx)
    with pytest.raises(Conflict):
        ctx.transact(incidents.change_status, ref, status="investigating", actor=ACTOR)
    with pytest.raises(InvalidInput):
        ctx.transact(incidents.assign_role, ref, role="scribe", person="sre-lead", actor=ACTOR)
    with pytest.raises(InvalidInput):
        ctx.transact(
            incidents.assign_role, ref, role="technical_lead", person="nobody", actor=ACTOR
        )
    assert _kinds(ctx, ref) == ["declared"]
    assert ctx.read(reading.get_incident, ref).roles["technical_lead"] == "backend-lead"


def test_a_resolved_incident_takes_no_action_until_reopened(ctx: Context) -> None:
    ref = _declare(ctx)
    ctx.transact(incidents.resolve, ref, resolution="fixed", actor=ACTOR)
    for act in (
        lambda: ctx.transact(
            publishing.post_update, ref, message="x", audience="internal", actor=ACTOR
        ),
        lambda: ctx.transact(incidents.change_severity, ref, severity=2, reason="x", actor=ACTOR),
        lambda: ctx.transact(incidents.resolve, ref, resolution="again", actor=ACTOR),
        lambda: ctx.transact(incidents.acknowledge, ref, actor=ACTOR),
    ):
        with pytest.raises(Conflict):
            act()
    reopened = ctx.transact(incidents.reopen, ref, reason="errors back", actor=ACTOR)
    assert reopened.status == "investigating" and reopened.resolved_at is None


def test_an_unknown_severity_or_service_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as refused:
        ctx.transact(incidents.declare, incidents.Declaration(title="x", severity=5), actor=ACTOR)
    assert refused.value.field == "severity"
    with pytest.raises(InvalidInput) as refused:
        ctx.transact(
            incidents.declare,
            incidents.Declaration(title="x", severity=1, services=["mainframe"]),
            actor=ACTOR,
        )
    assert refused.value.field == "services"
    with pytest.raises(InvalidInput) as refused:
        ctx.transact(incidents.declare, incidents.Declaration(title="   ", severity=1), actor=ACTOR)
    assert refused.value.field == "title"


def test_a_reference_that_does_not_exist_is_not_found(ctx: Context) -> None:
    with pytest.raises(NotFound):
        ctx.transact(incidents.acknowledge, "2024-01-15-999", actor=ACTOR)


def test_a_past_incident_is_recorded_at_its_own_day_and_marked_retrospective(
    ctx: Context,
) -> None:
    at = datetime(2023, 12, 24, 23, 50, tzinfo=UTC)
    incident = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="Holiday outage", severity=2, at=at),
        actor=ACTOR,
    )
    assert incident.reference == "2023-12-24-001" and incident.retrospective
    ctx.transact(
        incidents.acknowledge, incident.reference, actor=ACTOR, at=at + timedelta(minutes=12)
    )
    ctx.transact(
        incidents.resolve,
        incident.reference,
        resolution="fixed",
        actor=ACTOR,
        at=at + timedelta(hours=2),
    )
    with pytest.raises(InvalidInput, match="before the incident's previous event"):
        ctx.transact(incidents.reopen, incident.reference, reason="x", actor=ACTOR, at=at)
    got = ctx.read(reading.get_incident, incident.reference)
    assert got.resolved_at == at + timedelta(hours=2)


def test_a_drill_is_declared_as_an_exercise(ctx: Context) -> None:
    incident = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="Quarterly tabletop", severity=1, drill=True),
        actor=ACTOR,
    )
    assert incident.drill


def test_the_list_filters_open_resolved_and_severity(ctx: Context) -> None:
    first = _declare(ctx, severity=1)
    _declare(ctx, severity=3)
    ctx.transact(incidents.resolve, first, resolution="fixed", actor=ACTOR)
    assert [i.severity for i in ctx.read(reading.list_incidents)] == [3]
    assert [i.reference for i in ctx.read(reading.list_incidents, status="resolved")] == [first]
    assert len(ctx.read(reading.list_incidents, status="all")) == 2
    assert [i.severity for i in ctx.read(reading.list_incidents, status="all", severity=1)] == [1]


def test_the_initial_notification_follows_the_seed_template(ctx: Context) -> None:
    ref = _declare(ctx, summary="All API requests fail with 503", services=["api"])
    text = ctx.read(render_message, ref, "initial")
    assert text.splitlines() == [
        "🚨 INCIDENT ALERT",
        "Severity: Sev1 (Critical)",
        "Start Time: 2024-01-15 10:00 UTC",
        "Summary: All API requests fail with 503",
        "Impact: services: api",
        "Response Team: Engaged",
        "Updates: Every 15 minutes",
        "Status Page: https://status.alchemorsel.com",
    ]


def test_the_update_and_resolution_notices_follow_the_seed_templates(
    ctx: Context, clock: ManualClock
) -> None:
    ref = _declare(ctx)
    clock.advance(timedelta(minutes=20))
    ctx.transact(
        publishing.post_update,
        ref,
        message="Rolled back deploy",
        audience="internal",
        next_steps="Watch error rate",
        eta="30 minutes",
        actor=ACTOR,
    )
    update = ctx.read(render_message, ref, "update").splitlines()
    assert update == [
        "📊 INCIDENT UPDATE - 2024-01-15 10:20 UTC",
        f"Incident: {ref}",
        "Status: INVESTIGATING",
        "Progress: Rolled back deploy",
        "Next Steps: Watch error rate",
        "ETA: 30 minutes",
    ]
    clock.advance(timedelta(minutes=25))
    ctx.transact(
        incidents.resolve,
        ref,
        resolution="Rollback",
        root_cause="Bad config",
        prevention="Config linting",
        actor=ACTOR,
    )
    resolution = ctx.read(render_message, ref, "resolution").splitlines()
    assert resolution == [
        "✅ INCIDENT RESOLVED - 2024-01-15 10:45 UTC",
        f"Incident: {ref}",
        "Duration: 45 minutes",
        "Resolution: Rollback",
        "Root Cause: Bad config",
        "Prevention: Config linting",
        "Post-Mortem: 2024-01-17 10:45 UTC",
    ]
