"""A worker never waits for an incident a responder holds (PostgreSQL, where they run side by
side): a responder resolving it holds the incident and then wants its timers and messages,
which the worker's claim holds, so waiting there would be a deadlock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.store.engine_queries import cancel_pending_messages, lock_incident
from warroom.store.job_queries import cancel_pending_timers
from warroom.store.models import OutboxMessage, Timer
from warroom.store.queries import incident_by_reference

SEV2_FIRST_FALLBACK = timedelta(minutes=16)


@pytest.fixture(autouse=True)
def _postgresql_only(ctx: Context) -> None:
    if ctx.db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: nothing runs beside a responder")


def _declared_and_paged(ctx: Context) -> tuple[int, Scheduler]:
    """A Sev2 declared and its first pages sent; its id and the scheduler that sent them."""
    declaration = incidents.Declaration(title="Checkout down", severity=2)
    reference = ctx.transact(incidents.declare, declaration, actor="t").reference
    scheduler = Scheduler(ctx, transport=lambda *args: None)
    scheduler.tick()
    with ctx.db.reader() as session:
        return incident_by_reference(session, reference).id, scheduler


@contextmanager
def _responder_holding(
    ctx: Context, incident_id: int, then: Callable[..., object]
) -> Iterator[None]:
    """A responder's transaction holds the incident for the block, then does `then` (what
    resolving does next) and commits."""
    holding, done, failures = threading.Event(), threading.Event(), []

    def respond() -> None:
        try:
            with ctx.db.unit_of_work() as session:
                lock_incident(session, incident_id)
                holding.set()
                done.wait(timeout=10)
                then(session)
        except Exception as exc:
            failures.append(exc)

    responder = threading.Thread(target=respond)
    responder.start()
    assert holding.wait(timeout=10)
    try:
        yield
    finally:
        done.set()
        responder.join(timeout=15)
    assert not failures, f"the responder failed: {failures}"


def _within(seconds: float, work: Callable[[], object]) -> None:
    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=seconds)
    assert not worker.is_alive(), "the worker waited for the incident the responder holds"


def test_a_timer_turn_skips_an_incident_being_resolved_and_leaves_its_wake_up_to_it(
    ctx: Context, clock: ManualClock
) -> None:
    incident_id, scheduler = _declared_and_paged(ctx)
    clock.advance(SEV2_FIRST_FALLBACK)
    pages = _count_pages(ctx)

    def resolve_rest(session: object) -> None:
        cancel_pending_timers(session, incident_id)  # type: ignore[arg-type]

    ran: list[int] = []
    with _responder_holding(ctx, incident_id, resolve_rest):
        _within(5, lambda: ran.append(scheduler.run_due_timers()))
    assert ran == [0], "nothing it could run: the loop waits, not spins on the held incident"
    assert _count_pages(ctx) == pages, "no fallback page for an incident being resolved"
    with ctx.db.reader() as session:
        states = set(session.execute(select(Timer.state).where(Timer.incident_id == incident_id)))
    assert ("pending",) not in states, "the resolution cancelled the wake-up the turn left"


def test_a_delivery_claim_skips_a_recorded_message_whose_incident_is_held(
    ctx: Context, clock: ManualClock
) -> None:
    incident_id, scheduler = _declared_and_paged(ctx)
    with ctx.db.unit_of_work() as session:
        jobs.enqueue(
            session, key=f"esc:{incident_id}:kept", kind="notify", method="pigeon",
            address="loft", subject="s", body="b", now=clock.now(), incident_id=incident_id,
        )  # fmt: skip

    def cancel_rest(session: object) -> None:
        cancel_pending_messages(session, incident_id, f"esc:{incident_id}:", "resolved")  # type: ignore[arg-type]

    with _responder_holding(ctx, incident_id, cancel_rest):
        _within(5, scheduler.drain_outbox)
    with ctx.db.reader() as session:
        kept = session.execute(
            select(OutboxMessage.state, OutboxMessage.attempts).where(
                OutboxMessage.key == f"esc:{incident_id}:kept"
            )
        ).one()
    assert tuple(kept) == ("cancelled", 0), "left to the resolution, never attempted"


def _count_pages(ctx: Context) -> int:
    with ctx.db.reader() as session:
        return len(session.execute(select(OutboxMessage.id)).all())
