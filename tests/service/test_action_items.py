"""Action items: owners from the playbook, due dates that parse, reminders, follow-up review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.service.test_postmortem import resolved_sev2, run_timers
from warroom.clock import ManualClock
from warroom.errors import InvalidInput, NotFound
from warroom.service.context import Context
from warroom.service.incidents import reading
from warroom.service.post_incident import action_items, postmortem
from warroom.store.models import OutboxMessage


def owner(ctx: Context) -> str:
    return next(iter(ctx.playbook.people))


def test_an_action_item_has_an_owner_a_due_date_and_goes_on_the_timeline(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    item = ctx.transact(
        action_items.create_item,
        ref,
        title="Add canary",
        owner=owner(ctx),
        due="2024-02-01",
        actor="bob",
    )
    assert item.due == datetime(2024, 2, 1, 23, 59, 59, tzinfo=UTC)
    assert item.status == "open" and not item.overdue
    done = ctx.transact(action_items.update_item, item.id, status="done", actor="bob")
    assert done.status == "done" and done.done_at is not None
    kinds = [e.kind for e in ctx.read(reading.get_timeline, ref)]
    assert "action_item_created" in kinds and "action_item_done" in kinds


def test_due_dates_that_do_not_parse_unknown_owners_and_unknown_incidents_are_refused(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    with pytest.raises(InvalidInput) as caught:
        ctx.transact(
            action_items.create_item, ref, title="x", owner=owner(ctx), due="soonish", actor="b"
        )
    assert caught.value.field == "due"
    with pytest.raises(InvalidInput) as caught:
        ctx.transact(action_items.create_item, ref, title="x", owner="nobody", due="7d", actor="b")
    assert caught.value.field == "owner"
    with pytest.raises(NotFound):
        ctx.transact(
            action_items.create_item,
            "2099-01-01-001",
            title="x",
            owner=owner(ctx),
            due="7d",
            actor="b",
        )
    with pytest.raises(NotFound):
        ctx.transact(action_items.update_item, 999, status="done", actor="b")


def test_an_overdue_action_item_reminds_its_owner_once(ctx: Context, clock: ManualClock) -> None:
    ref = resolved_sev2(ctx, clock)
    person = owner(ctx)
    item = ctx.transact(
        action_items.create_item, ref, title="Fix", owner=person, due="1d", actor="b"
    )
    clock.advance(timedelta(days=2))
    assert [i.id for i in ctx.read(action_items.list_items, overdue=True)] == [item.id]
    run_timers(ctx, "action_item_overdue")
    run_timers(ctx, "action_item_overdue")
    with ctx.db.unit_of_work() as session:
        reminders = [
            m.person
            for m in session.execute(
                select(OutboxMessage).where(OutboxMessage.key.startswith("reminder:"))
            ).scalars()
            if m.kind == "reminder" and "Action item" in m.subject
        ]
    assert reminders == [person]


def test_a_done_or_rescheduled_item_sends_no_stale_reminder(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    item = ctx.transact(
        action_items.create_item, ref, title="Fix", owner=owner(ctx), due="1d", actor="b"
    )
    ctx.transact(action_items.update_item, item.id, due="10d", actor="b")
    clock.advance(timedelta(days=2))
    run_timers(ctx, "action_item_overdue")
    with ctx.db.unit_of_work() as session:
        assert (
            session.execute(select(OutboxMessage).where(OutboxMessage.key.startswith("reminder:")))
            .scalars()
            .all()
            == []
        )


def test_publishing_opens_the_30_day_follow_up_review_listing_each_item(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    first = ctx.transact(
        action_items.create_item, ref, title="A", owner=owner(ctx), due="7d", actor="b"
    )
    ctx.transact(action_items.create_item, ref, title="B", owner=owner(ctx), due="60d", actor="b")
    ctx.transact(action_items.update_item, first.id, status="done", actor="b")
    ctx.transact(postmortem.change_status, ref, status="published", actor="b")
    review = ctx.read(postmortem.follow_up_review, ref)
    assert not review["open"]
    assert [i["status"] for i in review["items"]] == ["done", "open"]
    assert "Follow-up review:" in ctx.read(postmortem.get_postmortem, ref).markdown
    clock.advance(timedelta(days=30))
    assert ctx.read(postmortem.follow_up_review, ref)["open"]
    run_timers(ctx, "follow_up_review")
    kinds = [e.kind for e in ctx.read(reading.get_timeline, ref)]
    assert "postmortem_follow_up_review" in kinds
