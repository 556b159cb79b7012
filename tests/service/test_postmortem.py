"""Post-mortems: opened on resolution, drafted from the data, edited, published, reminded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from warroom.clock import ManualClock
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.scheduler.handlers import HANDLERS
from warroom.service.context import Context
from warroom.service.incidents import investigation, publishing, reading
from warroom.service.incidents import lifecycle as incidents
from warroom.service.post_incident import postmortem
from warroom.store.models import OutboxMessage, Timer

SECTIONS = [
    "Executive Summary",
    "Timeline of Events",
    "Root Cause Analysis",
    "Impact Assessment",
    "Response Evaluation",
    "Action Items",
    "Lessons Learned",
]


def resolved_sev2(ctx: Context, clock: ManualClock) -> str:
    ref = ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout errors", severity=2), actor="alice"
    ).reference
    clock.advance(timedelta(minutes=10))
    ctx.transact(incidents.acknowledge, ref, actor="alice")
    clock.advance(timedelta(minutes=5))
    ctx.transact(
        investigation.record_attempt,
        ref,
        action="restart pods",
        outcome="failed",
        hypothesis="leak",
        actor="alice",
    )
    ctx.transact(
        publishing.post_update, ref, message="still failing", audience="internal", actor="alice"
    )
    clock.advance(timedelta(minutes=20))
    ctx.transact(
        incidents.resolve, ref, resolution="rolled back", root_cause="bad deploy", actor="alice"
    )
    return ref


def run_timers(ctx: Context, kind: str) -> None:
    with ctx.db.unit_of_work() as session:
        now = ctx.clock.now()
        timers = session.execute(
            select(Timer).where(Timer.kind == kind, Timer.state == "pending", Timer.due_at <= now)
        ).scalars()
        for timer in list(timers):
            HANDLERS[timer.kind](session, ctx, timer, now)
            timer.state = "done"


def test_resolving_a_sev2_opens_a_postmortem_owned_by_the_incident_commander_due_48_hours_later(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    document = ctx.read(postmortem.get_postmortem, ref)
    detail = ctx.read(reading.get_incident, ref)
    assert document.owner == detail.roles["incident_commander"]
    assert document.due_at == detail.resolved_at + timedelta(hours=48)
    assert document.status == "draft"
    kinds = [e.kind for e in ctx.read(reading.get_timeline, ref)]
    assert "postmortem_created" in kinds


def test_the_postmortem_has_exactly_the_seven_sections_of_the_seed(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    text = ctx.read(postmortem.get_postmortem, ref).markdown
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS
    assert "restart pods" in text and "leak" in text
    assert "bad deploy" in text
    assert "2024-01-15 10:00:00 UTC" in text
    assert "Failed resolution attempts:** 1" in text


def test_a_drill_opens_no_postmortem(ctx: Context, clock: ManualClock) -> None:
    ref = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="Game day", severity=2, drill=True),
        actor="a",
    ).reference
    ctx.transact(incidents.resolve, ref, resolution="done", actor="a")
    with pytest.raises(NotFound):
        ctx.read(postmortem.get_postmortem, ref)


def test_an_edited_section_replaces_the_draft_and_publishing_renders_html(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    ctx.transact(
        postmortem.edit_section, ref, section="lessons learned", text="Canary deploys.", actor="bob"
    )
    ctx.transact(postmortem.change_status, ref, status="in_review", actor="bob")
    published = ctx.transact(postmortem.change_status, ref, status="published", actor="bob")
    assert "Canary deploys." in published.markdown
    assert "What went well" not in published.markdown
    html = ctx.read(postmortem.get_html, ref)
    assert "<h2>Lessons Learned</h2>" in html
    kinds = [e.kind for e in ctx.read(reading.get_timeline, ref)]
    for kind in ("postmortem_section_edited", "postmortem_status_changed", "postmortem_published"):
        assert kind in kinds
    with pytest.raises(Conflict):
        ctx.transact(postmortem.edit_section, ref, section="Lessons Learned", text="x", actor="bob")


def test_unknown_sections_and_statuses_are_refused_with_the_field(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    with pytest.raises(InvalidInput) as caught:
        ctx.transact(postmortem.edit_section, ref, section="Gossip", text="x", actor="bob")
    assert caught.value.field == "section"
    with pytest.raises(InvalidInput) as caught:
        ctx.transact(postmortem.change_status, ref, status="shipped", actor="bob")
    assert caught.value.field == "status"


def test_an_overdue_postmortem_reminds_its_owner_through_their_first_contact(
    ctx: Context, clock: ManualClock
) -> None:
    ref = resolved_sev2(ctx, clock)
    owner = ctx.read(postmortem.get_postmortem, ref).owner
    clock.advance(timedelta(hours=47))
    run_timers(ctx, "postmortem_overdue")
    with ctx.db.unit_of_work() as session:
        assert (
            session.execute(select(OutboxMessage).where(OutboxMessage.key.startswith("reminder:")))
            .scalars()
            .all()
            == []
        )
    clock.advance(timedelta(hours=2))
    run_timers(ctx, "postmortem_overdue")
    first = ctx.playbook.people[owner].contacts[0]
    with ctx.db.unit_of_work() as session:
        sent = (
            session.execute(select(OutboxMessage).where(OutboxMessage.key.startswith("reminder:")))
            .scalars()
            .all()
        )
        assert [(m.person, m.method, m.address) for m in sent] == [
            (owner, first.method, first.address)
        ]
    assert ctx.read(postmortem.get_postmortem, ref).overdue
