"""The escalation harness (GoAlert's discipline): a manual clock, the real service functions
and the real scheduler iteration, and at the end of every test a check that no message
was sent that the test did not expect."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.store.models import OutboxMessage, Timer


@dataclass
class Sent:
    """A message as the harness sees it: one outbox row."""

    id: int
    key: str
    kind: str
    person: str | None
    method: str
    address: str
    state: str
    body: str
    created_at: datetime


@dataclass
class Harness:
    ctx: Context
    clock: ManualClock
    scheduler: Scheduler
    claimed: set[int] = field(default_factory=set)
    transported: list[tuple[str, str, str]] = field(default_factory=list)

    def tick(self) -> int:
        return self.scheduler.tick()

    def advance(self, delta: timedelta) -> None:
        """Move time forward as a running worker would see it: stop at every due moment."""
        target = self.clock.now() + delta
        for _ in range(10_000):
            self.tick()
            due = self._next_due()
            if due is None or due > target:
                break
            self.clock.set(max(due, self.clock.now()))
        self.clock.set(target)
        self.tick()

    def expect(self, person: str, kind: str | None = None, count: int = 1) -> list[Sent]:
        """Claim `count` unexpected-so-far messages to `person` (of `kind`); fail otherwise."""
        found = [
            m
            for m in self.messages()
            if m.id not in self.claimed and m.person == person and kind in (None, m.kind)
        ]
        assert len(found) == count, f"expected {count} {kind or 'message'}(s) to {person}: {found}"
        self.claimed.update(m.id for m in found)
        return found

    def unexpected(self) -> list[Sent]:
        return [m for m in self.messages() if m.id not in self.claimed]

    def messages(self) -> list[Sent]:
        with self.ctx.db.reader() as session:
            rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
            return [
                Sent(
                    r.id, r.key, r.kind, r.person, r.method, r.address, r.state, r.body,
                    r.created_at,
                )
                for r in rows
            ]  # fmt: skip

    def pending_timers(self, kind: str = "escalation") -> int:
        """Pending timers of one kind (post-incident reminders are not the engine's)."""
        with self.ctx.db.reader() as session:
            statement = select(func.count()).where(Timer.state == "pending", Timer.kind == kind)
            return int(session.execute(statement).scalar_one())

    def _next_due(self) -> datetime | None:
        with self.ctx.db.reader() as session:
            timer = session.execute(
                select(func.min(Timer.due_at)).where(Timer.state == "pending")
            ).scalar_one_or_none()
            outbox = session.execute(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.state == "pending"
                )
            ).scalar_one_or_none()
        times = [t for t in (timer, outbox) if t is not None]
        from warroom.clock import ensure_utc

        return min(ensure_utc(t) for t in times) if times else None


@pytest.fixture
def harness(ctx: Context, clock: ManualClock) -> Iterator[Harness]:
    h = Harness(ctx=ctx, clock=clock, scheduler=Scheduler(ctx))
    h.scheduler.transport = lambda url, subject, body: h.transported.append((url, subject, body))
    yield h
    leftover = h.unexpected()
    assert not leftover, f"unexpected messages were sent: {leftover}"
