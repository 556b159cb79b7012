"""What happens on an incident is posted to its channel (SPEC §9), in order, retried as
Slack asks, never twice; with Slack down the posts reach the Teams backup instead, and
the timeline says which channel carried each."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.chat.conftest import with_chat
from tests.chat.slack_standin import SlackStandIn
from tests.e2e.loopback import free_port, webhook_server
from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import (
    Declaration,
    change_status,
    declare,
    reopen,
    resolve,
)
from warroom.service.incidents.publishing import post_update
from warroom.service.incidents.reading import get_timeline


def declared(ctx: Context) -> str:
    return ctx.transact(
        declare, Declaration(title="Checkout failing", severity=1), actor="alice"
    ).reference


def quiet_scheduler(ctx: Context) -> Scheduler:
    return Scheduler(ctx, transport=lambda *a: None)


def test_updates_and_status_changes_are_posted_to_the_incident_channel_in_order(
    chat_ctx: Context, slack: SlackStandIn
) -> None:
    reference = declared(chat_ctx)
    scheduler = quiet_scheduler(chat_ctx)
    scheduler.tick()
    chat_ctx.transact(
        post_update, reference, message="Rolled back the deploy", audience="internal", actor="alice"
    )
    chat_ctx.transact(change_status, reference, status="monitoring", actor="alice")
    scheduler.tick()
    scheduler.tick()

    texts = [m["text"] for m in slack.by_name(f"incident-{reference}").messages]
    assert texts[0].startswith("🚨")
    assert "Rolled back the deploy" in texts[1] and texts[1].startswith("📊")
    assert texts[2] == "Status investigating → monitoring (alice)"
    assert len(texts) == 3


def test_a_429_is_retried_after_the_time_slack_asks_and_later_posts_wait_for_it(
    chat_ctx: Context, slack: SlackStandIn, clock: ManualClock
) -> None:
    reference = declared(chat_ctx)
    scheduler = quiet_scheduler(chat_ctx)
    scheduler.tick()
    slack.fail("chat.postMessage", status=429, retry_after=30)
    chat_ctx.transact(post_update, reference, message="first", audience="internal", actor="alice")
    chat_ctx.transact(post_update, reference, message="second", audience="internal", actor="alice")
    scheduler.tick()
    channel = slack.by_name(f"incident-{reference}")
    assert len(channel.messages) == 1  # only the 🚨 message: "second" waits for "first"

    clock.advance(timedelta(seconds=29))
    scheduler.tick()
    assert len(channel.messages) == 1
    clock.advance(timedelta(seconds=1))
    scheduler.tick()
    later = [m["text"] for m in channel.messages[1:]]
    assert "first" in later[0] and "second" in later[1]


def test_resolving_posts_the_resolution_notice_and_archives_the_channel_a_week_later(
    chat_ctx: Context, slack: SlackStandIn, clock: ManualClock
) -> None:
    reference = declared(chat_ctx)
    scheduler = quiet_scheduler(chat_ctx)
    chat_ctx.transact(resolve, reference, resolution="Rolled back", actor="alice")
    scheduler.tick()
    channel = slack.by_name(f"incident-{reference}")
    assert channel.messages[-1]["text"].startswith("✅")
    assert not channel.archived

    clock.advance(timedelta(days=7))
    scheduler.tick()
    assert channel.archived


def test_with_slack_down_the_announcement_and_the_posts_reach_teams(
    chat_ctx: Context, slack: SlackStandIn, clock: ManualClock
) -> None:
    with webhook_server() as (port, received):
        teams = f"json://127.0.0.1:{port}/teams"
        playbook = with_chat(chat_ctx.playbook, slack.url, teams=teams)
        ctx = replace(chat_ctx, playbook=playbook)
        slack.down = True
        reference = declared(ctx)
        scheduler = Scheduler(ctx)
        for _ in range(6):  # Slack's four tries, with the backoff between them
            scheduler.tick()
            clock.advance(timedelta(seconds=61))
        scheduler.tick()

        bodies = [body.get("message", "") for _, body in received]
        assert any(b.startswith("🚨 INCIDENT ALERT") for b in bodies)
        assert any("Sev1 declared: Checkout failing" in b for b in bodies)
    events = ctx.read(get_timeline, reference)
    posted = [e for e in events if e.kind == "chat_posted"]
    assert {e.data["action"] for e in posted} == {"initial", "announce"}
    assert all(e.data["via"] == "teams" for e in posted)
    assert "Microsoft Teams (Slack failed" in posted[0].text
    failed = [e for e in events if e.kind == "chat_failed"]
    assert [e.data["action"] for e in failed] == ["create"]


def test_a_closed_port_for_slack_is_slack_down_too(chat_ctx: Context, clock: ManualClock) -> None:
    playbook = with_chat(chat_ctx.playbook, f"http://127.0.0.1:{free_port()}/api/")
    ctx = replace(chat_ctx, playbook=playbook)
    reference = declared(ctx)
    scheduler = quiet_scheduler(ctx)
    for _ in range(6):
        scheduler.tick()
        clock.advance(timedelta(seconds=61))
    events = ctx.read(get_timeline, reference)
    failed = [e for e in events if e.kind == "chat_failed"]
    assert failed[0].data["action"] == "create" and failed[0].data["attempts"] == 4


def test_sla_breaches_and_escalations_from_the_paging_engine_are_posted_too(
    chat_ctx: Context, slack: SlackStandIn, clock: ManualClock
) -> None:
    reference = declared(chat_ctx)
    scheduler = quiet_scheduler(chat_ctx)
    for _ in range(8):  # nobody answers for an hour and a half, in ticks as a worker runs
        scheduler.tick()
        clock.advance(timedelta(minutes=12))
    scheduler.tick()
    texts = [m["text"] for m in slack.by_name(f"incident-{reference}").messages]
    assert any(t.startswith("Response SLA breached") for t in texts)
    assert any(t.startswith("Escalated to") for t in texts)


def test_reopening_calls_off_the_archive(
    chat_ctx: Context, slack: SlackStandIn, clock: ManualClock
) -> None:
    reference = declared(chat_ctx)
    scheduler = quiet_scheduler(chat_ctx)
    chat_ctx.transact(resolve, reference, resolution="Rolled back", actor="alice")
    scheduler.tick()
    chat_ctx.transact(reopen, reference, reason="Errors are back", actor="alice")
    clock.advance(timedelta(days=8))
    scheduler.tick()
    channel = slack.by_name(f"incident-{reference}")
    assert not channel.archived
    assert "Reopened: Errors are back (alice)" in [m["text"] for m in channel.messages]
