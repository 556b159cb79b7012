"""The escalation engine live: real service functions, real scheduler iterations, a manual
clock; every message a test does not claim fails it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.harness import Harness
from warroom.service import incidents
from warroom.service.context import Context
from warroom.store.models import Timer

MIN = timedelta(minutes=1)


def declare(ctx: Context, severity: int = 1, **extra: object) -> str:
    return incidents.declare(
        ctx, title="Checkout down", severity=severity, actor="tester", **extra
    ).reference  # type: ignore[arg-type]


def kinds(ctx: Context, reference: str) -> list[str]:
    return [e.kind for e in incidents.get_timeline(ctx, reference)]


def test_declaring_a_sev1_pages_each_role_primary_in_the_declaring_transaction(
    harness: Harness,
) -> None:
    declare(harness.ctx)
    for person in ("sre-lead", "backend-lead", "product-manager"):
        [page] = harness.expect(person, "page")
        assert page.state == "pending"
    harness.tick()
    assert all(m.state == "recorded" for m in harness.messages() if m.kind == "page")


def test_a_sev1_nobody_acknowledges_within_15_minutes_pages_the_incident_commanders_backup(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx)
    harness.advance(14 * MIN)
    harness.claimed.update(m.id for m in harness.messages() if m.person != "eng-manager")
    assert not [m for m in harness.messages() if m.person == "eng-manager"]
    harness.advance(1 * MIN)
    harness.expect("eng-manager", "page")
    harness.claimed.update(m.id for m in harness.unexpected())
    assert "sla_breached" in kinds(harness.ctx, ref)


def test_a_drill_incident_pages_no_one(harness: Harness) -> None:
    declare(harness.ctx, drill=True)
    harness.advance(5 * 60 * MIN)
    assert harness.pending_timers() == 0


def test_a_retrospective_incident_pages_no_one(harness: Harness) -> None:
    declare(harness.ctx, at=harness.clock.now() - 3 * 60 * MIN)
    harness.advance(60 * MIN)
    assert harness.pending_timers() == 0


def test_a_resolved_incident_pages_no_one_more(harness: Harness) -> None:
    ref = declare(harness.ctx)
    harness.tick()
    first = {m.id for m in harness.messages()}
    harness.claimed.update(first)
    incidents.resolve(harness.ctx, ref, resolution="rolled back", actor="tester")
    harness.advance(6 * 60 * MIN)
    assert harness.pending_timers() == 0


def test_acknowledging_the_incident_stops_the_fallbacks_of_every_page(harness: Harness) -> None:
    ref = declare(harness.ctx)
    harness.advance(5 * MIN)
    harness.claimed.update(m.id for m in harness.messages())
    incidents.acknowledge(harness.ctx, ref, actor="tester", person="sre-lead")
    harness.advance(9 * MIN)
    assert [m for m in harness.unexpected() if m.kind in ("page", "retry")] == []
    harness.claimed.update(m.id for m in harness.unexpected())


def test_a_restart_after_a_crash_fires_what_fell_due_once(harness: Harness) -> None:
    from warroom.scheduler import Scheduler

    ref = declare(harness.ctx)
    harness.tick()
    harness.claimed.update(m.id for m in harness.messages())
    harness.clock.advance(20 * MIN)  # the worker was down for 20 minutes
    restarted = Scheduler(harness.ctx, transport=harness.scheduler.transport)
    restarted.tick()
    caught_up = harness.unexpected()
    assert {m.person for m in caught_up} >= {"eng-manager"}
    assert len({m.key for m in caught_up}) == len(caught_up)
    harness.claimed.update(m.id for m in caught_up)
    restarted.tick()
    Scheduler(harness.ctx, transport=harness.scheduler.transport).tick()
    assert harness.unexpected() == []
    assert kinds(harness.ctx, ref).count("sla_breached") == 1


def test_a_failing_timer_handler_is_retried_and_never_stops_the_loop(
    harness: Harness, caplog: object
) -> None:
    from warroom.scheduler import Scheduler

    calls: list[str] = []

    def broken(session: object, ctx: Context, timer: Timer, now: object) -> None:
        calls.append(timer.key)
        raise RuntimeError("boom")

    ref = declare(harness.ctx)
    harness.claimed.update(m.id for m in harness.messages())
    failing = Scheduler(
        harness.ctx, handlers={"escalation": broken}, transport=harness.scheduler.transport
    )
    harness.clock.advance(10 * MIN)
    failing.tick()
    assert calls
    with harness.ctx.db.unit_of_work() as session:
        timer = session.execute(select(Timer).where(Timer.state == "pending")).scalars().first()
        assert timer is not None and timer.payload["failures"] == 1
        assert timer.due_at > harness.clock.now()
    harness.tick()  # the real handler still works afterwards
    assert ref
    harness.claimed.update(m.id for m in harness.messages())


def test_the_incident_shows_its_next_steps_with_their_due_times(harness: Harness) -> None:
    ref = declare(harness.ctx)
    harness.claimed.update(m.id for m in harness.messages())
    detail = incidents.get_incident(harness.ctx, ref)
    assert detail.next_steps
    first = detail.next_steps[0]
    assert first["due_at"] > harness.clock.now()
    assert {"action", "person", "level", "reason", "in_seconds"} <= set(first)
