"""Reads never queue behind a writer (SQLite takes its write lock only for writes)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import reading
from warroom.store.models import Incident


def test_a_reader_is_not_blocked_by_an_open_write_transaction(ctx: Context) -> None:
    ctx.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="test"
    )
    with ctx.db.unit_of_work() as writer, ThreadPoolExecutor(max_workers=1) as pool:
        writer.execute(select(Incident))  # holds the write lock
        listed = pool.submit(ctx.read, reading.list_incidents).result(timeout=5)
    assert [i.reference for i in listed] == ["2024-01-15-001"]


def test_polls_that_find_nothing_due_do_not_wait_for_the_writer(ctx: Context) -> None:
    """The timer, delivery and inbox loops poll all the time; with nothing to do they
    look without a write turn, so an idle poll never queues behind a busy writer."""
    if not ctx.db.is_sqlite:
        pytest.skip("PostgreSQL has no single writer for a poll to queue behind")
    loop = Scheduler(ctx, handlers={})
    polls = (loop.run_due_timers, loop.drain_outbox, loop.intake.apply)
    with ThreadPoolExecutor(max_workers=1) as pool, ctx.db.unit_of_work() as writer:
        writer.execute(select(Incident))  # holds the write lock
        found = [pool.submit(poll).result(timeout=5) for poll in polls]
    assert found == [0, 0, (0, True, 0.0)]
