"""The playbook's checklists on every incident (SPEC §3b): what warroom does ticks itself,
a responder ticks the rest, and every tick is on the timeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import Harness
from warroom.clock import ManualClock
from warroom.errors import InvalidInput, NotFound
from warroom.service.context import Context
from warroom.service.incidents import checklist, investigation, reading
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents.importer import import_lines
from warroom.service.schemas import ChecklistItemOut

DECLARATION_ITEMS = {"create-incident", "assess-severity", "create-channel", "start-timeline"}
SEV3_PAGES = ("sre-lead", "backend-lead")


def declare(ctx: Context, severity: int = 3, **extra: Any) -> str:
    declared = incidents.Declaration(title="Checkout errors", severity=severity, **extra)
    return ctx.transact(incidents.declare, declared, actor="alice").reference


def items(ctx: Context, reference: str) -> dict[str, ChecklistItemOut]:
    return {item.id: item for item in ctx.read(checklist.get_checklist, reference)}


def done(ctx: Context, reference: str) -> set[str]:
    return {item_id for item_id, item in items(ctx, reference).items() if item.done}


def ticks(ctx: Context, reference: str) -> list[tuple[str, str, dict[str, Any]]]:
    timeline = ctx.read(reading.get_timeline, reference)
    return [(e.actor, e.data["id"], e.data) for e in timeline if e.kind == "checklist_ticked"]


def test_every_incident_carries_every_checklist_item_in_the_playbooks_order(
    ctx: Context,
) -> None:
    ref = declare(ctx)
    expected = [(c.phase, item.id) for c in ctx.playbook.checklists for item in c.items]
    detail = ctx.read(reading.get_incident, ref)
    assert [(item.phase, item.id) for item in detail.checklist] == expected
    assert detail.checklist == ctx.read(checklist.get_checklist, ref)


def test_a_declaration_ticks_the_incident_its_severity_its_channel_and_its_timeline(
    ctx: Context, clock: ManualClock
) -> None:
    ref = declare(ctx)
    assert done(ctx, ref) == DECLARATION_ITEMS
    created = items(ctx, ref)["create-incident"]
    assert (created.done_by, created.done_at, created.automatic) == ("warroom", clock.now(), True)
    assert [(actor, item) for actor, item, _ in ticks(ctx, ref)] == [
        ("warroom", "create-incident"),
        ("warroom", "assess-severity"),
        ("warroom", "create-channel"),
        ("warroom", "start-timeline"),
    ]
    _, _, data = ticks(ctx, ref)[0]
    assert data == {
        "id": "create-incident",
        "phase": "declaration",
        "text": "Create incident in incident management system",
        "done": True,
        "automatic": True,
    }


def test_the_first_page_sent_ticks_page_team_once_however_many_pages_follow(
    harness: Harness,
) -> None:
    ctx = harness.ctx
    ref = declare(ctx)
    assert "page-team" not in done(ctx, ref)  # queued, not yet sent
    harness.tick()
    for person in SEV3_PAGES:
        harness.expect(person, "page")
    page_team = items(ctx, ref)["page-team"]
    assert (page_team.done, page_team.done_by, page_team.automatic) == (True, "warroom", True)
    assert [item for _, item, _ in ticks(ctx, ref)].count("page-team") == 1


def test_an_impact_assessment_ticks_what_it_assessed_and_nothing_else(ctx: Context) -> None:
    ref = declare(ctx)
    ctx.transact(investigation.assess_impact, ref, actor="alice", affected_users_pct=40.0)
    assert done(ctx, ref) - DECLARATION_ITEMS == {"affected-users"}
    ctx.transact(
        investigation.assess_impact, ref, actor="alice", services=["api"], business_impact="sales"
    )
    impact = {"affected-users", "affected-services", "business-impact"}
    assert done(ctx, ref) - DECLARATION_ITEMS == impact


def test_resolving_opens_the_postmortem_which_ticks_gather_timeline(
    ctx: Context, clock: ManualClock
) -> None:
    ref = declare(ctx)
    clock.advance(timedelta(minutes=30))
    ctx.transact(incidents.resolve, ref, resolution="rolled back", actor="alice")
    gathered = items(ctx, ref)["gather-timeline"]
    assert (gathered.done, gathered.done_by, gathered.done_at) == (True, "warroom", clock.now())


def test_a_responder_ticks_an_item_and_unticks_it_each_on_the_timeline(
    ctx: Context, clock: ManualClock
) -> None:
    ref = declare(ctx)
    clock.advance(timedelta(minutes=3))
    listed = ctx.transact(checklist.tick, ref, "start-video", done=True, actor="bob")
    video = {item.id: item for item in listed}["start-video"]
    assert (video.done, video.done_by, video.done_at) == (True, "bob", clock.now())
    assert not video.automatic
    clock.advance(timedelta(minutes=1))
    ctx.transact(checklist.tick, ref, "start-video", done=False, actor="carol")
    video = items(ctx, ref)["start-video"]
    assert (video.done, video.done_by, video.done_at) == (False, None, None)
    assert [
        (actor, data["done"]) for actor, item, data in ticks(ctx, ref) if item == "start-video"
    ] == [
        ("bob", True),
        ("carol", False),
    ]


def test_ticking_a_ticked_item_again_changes_nothing_and_records_nothing(
    ctx: Context, clock: ManualClock
) -> None:
    ref = declare(ctx)
    ctx.transact(checklist.tick, ref, "join-channel", done=True, actor="bob")
    before = (items(ctx, ref)["join-channel"], len(ctx.read(reading.get_timeline, ref)))
    clock.advance(timedelta(minutes=5))
    ctx.transact(checklist.tick, ref, "join-channel", done=True, actor="carol")
    ctx.transact(checklist.tick, ref, "share-screen", done=False, actor="carol")
    assert (items(ctx, ref)["join-channel"], len(ctx.read(reading.get_timeline, ref))) == before


def test_an_unknown_item_is_refused_naming_the_items_there_are(ctx: Context) -> None:
    ref = declare(ctx)
    with pytest.raises(InvalidInput, match="unknown checklist item 'make-coffee'") as refused:
        ctx.transact(checklist.tick, ref, "make-coffee", done=True, actor="bob")
    assert "page-team" in refused.value.message and refused.value.field == "id"
    with pytest.raises(NotFound):
        ctx.transact(checklist.tick, "2024-01-15-999", "page-team", done=True, actor="bob")


def test_an_item_a_responder_unticked_stays_as_they_left_it_when_warroom_does_it_again(
    ctx: Context,
) -> None:
    ref = declare(ctx)
    ctx.transact(investigation.assess_impact, ref, actor="alice", affected_users_pct=40.0)
    ctx.transact(checklist.tick, ref, "affected-users", done=False, actor="bob")
    ctx.transact(investigation.assess_impact, ref, actor="alice", affected_users_pct=60.0)
    assert "affected-users" not in done(ctx, ref)


def test_the_post_incident_items_are_ticked_after_resolution(
    ctx: Context, clock: ManualClock
) -> None:
    ref = declare(ctx)
    ctx.transact(incidents.resolve, ref, resolution="rolled back", actor="alice")
    clock.advance(timedelta(hours=2))
    ctx.transact(checklist.tick, ref, "final-update", done=True, actor="bob")
    assert items(ctx, ref)["final-update"].done_at == clock.now()


def test_a_tick_recorded_after_the_fact_keeps_the_time_it_was_done(
    ctx: Context, clock: ManualClock
) -> None:
    ref = declare(ctx)
    declared = clock.now()
    clock.advance(timedelta(hours=1))
    ctx.transact(
        checklist.tick,
        ref,
        "join-channel",
        done=True,
        actor="bob",
        at=declared + timedelta(minutes=2),
    )
    assert items(ctx, ref)["join-channel"].done_at == declared + timedelta(minutes=2)
    with pytest.raises(InvalidInput):
        ctx.transact(
            checklist.tick,
            ref,
            "start-video",
            done=True,
            actor="bob",
            at=declared - timedelta(minutes=1),
        )


def test_a_retrospective_incident_ticks_its_declaration_at_its_time_and_no_page(
    ctx: Context, clock: ManualClock
) -> None:
    declared_at = clock.now() - timedelta(days=2)
    ref = declare(ctx, at=declared_at)
    assert done(ctx, ref) == DECLARATION_ITEMS  # it paged no one: page-team is not done
    assert items(ctx, ref)["create-incident"].done_at == declared_at


def test_a_drill_ticks_page_team_from_the_pages_it_keeps_in_the_outbox(harness: Harness) -> None:
    ctx = harness.ctx
    ref = declare(ctx, drill=True)
    harness.tick()
    for person in SEV3_PAGES:
        [page] = harness.expect(person, "page")
        assert page.state == "recorded"
    assert done(ctx, ref) == DECLARATION_ITEMS | {"page-team"}


def past_line(*events: dict[str, Any]) -> str:
    declared = {"title": "Database failover", "severity": 2, "declared_at": "2024-01-03T10:00:00Z"}
    return json.dumps({**declared, "events": list(events)})


def test_an_imported_line_restores_its_ticks_and_its_other_history_ticks_nothing(
    ctx: Context,
) -> None:
    paged = {"kind": "page_sent", "at": "2024-01-03T10:01:00Z", "data": {"person": "sre-lead"}}
    video = {"kind": "checklist_ticked", "at": "2024-01-03T10:04:00Z", "actor": "alice"}
    result = import_lines(
        ctx,
        [
            past_line(paged, {**video, "data": {"id": "start-video"}}),
            past_line({**video, "data": {"id": "make-coffee"}}),
        ],
    )
    assert result.refused == [(2, "events.0: unknown checklist item 'make-coffee'")]
    (ref,) = result.imported
    assert done(ctx, ref) == DECLARATION_ITEMS | {"start-video"}
    started = items(ctx, ref)["start-video"]
    assert (started.done_by, started.done_at) == ("alice", datetime(2024, 1, 3, 10, 4, tzinfo=UTC))
