"""A page to a role whose primary is a schedule goes to whoever is on call at that moment:
live (the engine at send time), in a drill (at the simulated moment) and in next_steps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.harness import Harness
from tests.schedule_playbook import new_york, scheduled_playbook
from warroom.clock import ManualClock
from warroom.core.drill import simulate
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import reading
from warroom.service.schedules.overrides import add_override

PLAYBOOK = scheduled_playbook()


@pytest.fixture
def oncall(ctx: Context, clock: ManualClock) -> Iterator[Harness]:
    scheduled = replace(ctx, playbook=PLAYBOOK)
    harness = Harness(ctx=scheduled, clock=clock, scheduler=Scheduler(scheduled))
    yield harness
    assert harness.unexpected() == [], "unexpected messages were sent"


def _declare(ctx: Context, severity: int = 3) -> str:
    declared = incidents.Declaration(title="Checkout down", severity=severity)
    return ctx.transact(incidents.declare, declared, actor="tester").reference


def test_a_page_to_a_role_whose_primary_is_a_schedule_goes_to_whoever_is_on_call_then(
    oncall: Harness,
) -> None:
    oncall.clock.set(new_york("2024-01-15T08:30"))  # devops-lead's week ends at 09:00
    first = _declare(oncall.ctx)
    [page] = oncall.expect("devops-lead", "page")
    assert page.method == "phone"
    oncall.expect("backend-lead", "page")  # the technical lead is a fixed person
    oncall.clock.set(new_york("2024-01-15T09:00"))
    second = _declare(oncall.ctx)
    oncall.expect("lead-developer", "page")
    oncall.expect("backend-lead", "page")
    holders = [
        oncall.ctx.read(reading.get_incident, ref).roles["incident_commander"]
        for ref in (first, second)
    ]
    assert holders == ["devops-lead", "lead-developer"]


def test_an_override_covers_the_schedule_so_its_person_is_paged(oncall: Harness) -> None:
    now = new_york("2024-01-15T08:30")
    oncall.clock.set(now)
    oncall.ctx.transact(
        add_override, "sre-oncall", "eng-manager", now, now + timedelta(hours=2), actor="tester"
    )
    _declare(oncall.ctx)
    oncall.expect("eng-manager", "page")
    oncall.expect("backend-lead", "page")


def test_next_steps_name_whoever_will_be_on_call_when_the_level_is_reached(
    oncall: Harness,
) -> None:
    oncall.clock.set(new_york("2024-01-15T08:45"))  # Sev3 reaches team_lead at +30m, 09:15
    reference = _declare(oncall.ctx)
    oncall.expect("devops-lead", "page")
    oncall.expect("backend-lead", "page")
    upcoming = oncall.ctx.read(reading.get_incident, reference).next_steps
    [team_lead] = [s for s in upcoming if s["level"] == "team_lead"]
    assert team_lead["person"] == "lead-developer"
    assert "schedule:sre-oncall" in team_lead["reason"]


def test_a_drill_pages_whoever_is_on_call_at_the_simulated_moment() -> None:
    before = simulate(PLAYBOOK, 3, start=new_york("2024-01-15T08:45"), horizon=timedelta(hours=1))
    pages = [(e.at_seconds, e.role, e.person) for e in before if e.action == "page"]
    assert (0, "incident_commander", "devops-lead") in pages
    notices = [(e.at_seconds, e.person) for e in before if e.level == "team_lead"]
    assert notices[0] == (30 * 60, "lead-developer")  # past the 09:00 handoff
    week_later = simulate(PLAYBOOK, 3, start=new_york("2024-01-22T10:00"), horizon=timedelta(0))
    assert [e.person for e in week_later if e.role == "incident_commander"] == ["sre-lead"]
