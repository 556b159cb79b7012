"""A timer turn writes its steps, pages and wake-ups behind: held, then one statement per
table; every read in the transaction still sees them, and a performed step stays at most
once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.store import write_behind
from warroom.store.engine_models import EscalationStep
from warroom.store.models import OutboxMessage, Timer

SEV2_FIRST_FALLBACK = timedelta(minutes=16)


def _declare(ctx: Context, count: int) -> None:
    for n in range(count):
        declaration = incidents.Declaration(title=f"Checkout down {n}", severity=2)
        ctx.transact(incidents.declare, declaration, actor="t")


def _inserts(ctx: Context) -> Counter[str]:
    counted: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.startswith("INSERT INTO"):
            counted[statement.split()[2].strip('"')] += 1

    event.listen(ctx.db.engine, "before_cursor_execute", count)
    return counted


def _count(ctx: Context, model: type[Any]) -> int:
    with ctx.db.reader() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_turn_of_ten_incidents_writes_their_steps_pages_and_wake_ups_one_statement_each(
    ctx: Context, clock: ManualClock
) -> None:
    _declare(ctx, 10)
    scheduler = Scheduler(ctx, transport=lambda *args: None)
    scheduler.tick()  # the declaration pages
    steps_before = _count(ctx, EscalationStep)
    clock.advance(SEV2_FIRST_FALLBACK)
    inserts = _inserts(ctx)
    assert scheduler.run_due_timers() == 10
    assert _count(ctx, EscalationStep) - steps_before >= 20, "every incident's fallbacks"
    assert inserts == {"escalation_steps": 1, "outbox": 1, "timers": 1}


def test_a_held_row_is_seen_by_the_next_read_in_its_transaction(ctx: Context) -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with ctx.db.unit_of_work() as session:
        write_behind.hold_rows(session)
        jobs.schedule(session, key="k", kind="review", due_at=now, now=now, may_hold=True)
        found = session.execute(select(Timer.key).where(Timer.key == "k")).scalar_one_or_none()
    assert found == "k"


def test_a_step_another_worker_performed_first_rolls_the_whole_turn_back(
    ctx: Context, clock: ManualClock
) -> None:
    _declare(ctx, 1)
    with ctx.db.reader() as session:
        step = session.execute(select(EscalationStep)).scalars().first()
        assert step is not None
        taken = {c.name: getattr(step, c.name) for c in EscalationStep.__table__.columns}
    del taken["id"]
    messages = _count(ctx, OutboxMessage)
    with pytest.raises(write_behind.LostRace), ctx.db.unit_of_work() as session:
        write_behind.hold_rows(session)
        now = clock.now()
        jobs.enqueue(
            session, key="esc:again", kind="page", method="email", address="a@example.com",
            subject="s", body="b", now=now, may_hold=True,
        )  # fmt: skip
        write_behind.insert(session, EscalationStep, taken, guarded=True)
    assert _count(ctx, OutboxMessage) == messages, "the page sent on its strength is gone too"


@pytest.mark.parametrize("held", [False, True], ids=["written-at-once", "held"])
def test_a_cancelled_wake_up_scheduled_again_is_pending_again(ctx: Context, held: bool) -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with ctx.db.unit_of_work() as session:
        jobs.schedule(session, key="wake", kind="review", due_at=now, now=now)
        session.execute(Timer.__table__.update().values(state="cancelled"))
    with ctx.db.unit_of_work() as session:
        if held:
            write_behind.hold_rows(session)
        assert jobs.schedule(
            session, key="wake", kind="review", due_at=now, now=now,
            revive_cancelled=True, may_hold=True,
        )  # fmt: skip
    with ctx.db.reader() as session:
        assert session.execute(select(Timer.state)).scalar_one() == "pending"


def test_a_timer_turn_gives_sqlites_writer_back_to_a_waiting_request_and_leaves_the_rest_due(
    ctx: Context, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _declare(ctx, 3)
    clock.advance(SEV2_FIRST_FALLBACK)
    ran: list[str] = []

    def escalation(_session: Any, _ctx: Context, timer: Timer, _now: datetime) -> None:
        ran.append(timer.key)

    scheduler = Scheduler(ctx, handlers={"escalation": escalation})
    monkeypatch.setattr(ctx.db, "sender_waits_on_turn", lambda *_: True)
    scheduler.run_due_timers()
    assert len(ran) == 1, "the request waiting got the writer after one timer"
    monkeypatch.undo()
    scheduler.run_due_timers()
    assert len(ran) == 3 and len(set(ran)) == 3, "the rest ran on the next turn, once each"
