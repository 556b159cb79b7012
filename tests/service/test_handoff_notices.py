"""Handoff notices: `handoff_notice` before each shift the incoming person is told, once,
through their first contact; an override's handoff is told too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.harness import Harness
from tests.schedule_playbook import new_york, scheduled_playbook
from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.schedules.changes import cover
from warroom.service.schedules.handoffs import schedule_handoffs


@pytest.fixture
def oncall(ctx: Context, clock: ManualClock) -> Iterator[Harness]:
    scheduled = replace(ctx, playbook=scheduled_playbook())
    clock.set(new_york("2024-01-15T07:00"))
    harness = Harness(ctx=scheduled, clock=clock, scheduler=Scheduler(scheduled))
    harness.ctx.transact(schedule_handoffs)
    yield harness
    assert harness.unexpected() == [], "unexpected messages were sent"


def test_the_incoming_person_is_told_an_hour_before_their_shift_once(oncall: Harness) -> None:
    oncall.advance(timedelta(minutes=59))
    assert oncall.unexpected() == []
    oncall.advance(timedelta(minutes=1))  # 08:00, an hour before the 09:00 handoff
    [notice] = oncall.expect("lead-developer", "handoff_notice")
    assert notice.method == "slack"  # their first contact
    assert "from DevOps Engineer at Mon 2024-01-15 09:00" in notice.body
    assert "until Mon 2024-01-22 09:00 (America/New_York)" in notice.body
    oncall.advance(timedelta(days=7))  # and the next week's, at 08:00 on the 22nd
    oncall.expect("sre-lead", "handoff_notice")


def test_an_override_brings_its_own_handoff_notice(oncall: Harness) -> None:
    start = new_york("2024-01-15T12:00")
    oncall.ctx.transact(cover, "sre-oncall", "cto", start, start + timedelta(hours=4), actor="t")
    oncall.advance(timedelta(hours=1))
    oncall.expect("lead-developer", "handoff_notice")
    oncall.advance(timedelta(hours=3))  # 11:00, an hour before the cover
    oncall.expect("cto", "handoff_notice")
    oncall.advance(timedelta(hours=4))  # 15:00: lead-developer takes it back at 16:00
    oncall.expect("lead-developer", "handoff_notice")
