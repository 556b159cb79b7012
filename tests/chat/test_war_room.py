"""Declaring opens the war room in Slack (SPEC §9): the channel named after the incident,
its topic, the three role holders invited, the 🚨 message posted and pinned, the links
bookmarked and the announcement in #incidents; and chat off changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from tests.chat.slack_standin import SlackStandIn
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import Declaration, declare
from warroom.service.incidents.reading import get_incident, get_timeline
from warroom.store.chat_models import ChatPost


def declare_sev1(ctx: Context) -> str:
    declared = ctx.transact(
        declare, Declaration(title="Checkout failing", severity=1), actor="alice"
    )
    return declared.reference


def test_a_sev1_declared_with_slack_configured_gets_its_war_room(
    chat_ctx: Context, slack: SlackStandIn
) -> None:
    reference = declare_sev1(chat_ctx)
    Scheduler(chat_ctx, transport=lambda *a: None).tick()

    channel = slack.by_name(f"incident-{reference}")
    assert "Sev1" in channel.topic and "Checkout failing" in channel.topic
    assert "SRE Team Lead" in channel.topic  # the commander
    holders = {slack.users[h] for h in ("sre-lead", "backend-lead")}
    assert holders <= set(channel.members)
    assert len(channel.members) == 3
    initial = channel.messages[0]
    assert initial["text"].startswith("🚨 INCIDENT ALERT")
    assert channel.pins == [initial["ts"]]
    titles = [b["title"] for b in channel.bookmarks]
    assert titles == [f"Incident {reference}", "Status page", "Video bridge"]
    announced = slack.by_name("incidents").messages
    assert f"<#{channel.id}>" in announced[0]["text"]


def test_the_channel_id_is_the_incidents_chat_link_and_the_checklist_ticks_when_it_exists(
    chat_ctx: Context, slack: SlackStandIn
) -> None:
    reference = declare_sev1(chat_ctx)
    before = chat_ctx.read(get_incident, reference)
    assert before.links["chat"] == f"#incident-{reference}"
    assert not _item(before, "create-channel")["done"]

    Scheduler(chat_ctx, transport=lambda *a: None).tick()

    after = chat_ctx.read(get_incident, reference)
    assert after.links["chat"] == slack.by_name(f"incident-{reference}").id
    assert _item(after, "create-channel")["done"]


def test_a_channel_name_already_taken_gets_the_next_suffix(
    chat_ctx: Context, slack: SlackStandIn
) -> None:
    slack.taken.add("incident-2024-01-15-001")
    reference = declare_sev1(chat_ctx)
    Scheduler(chat_ctx, transport=lambda *a: None).tick()

    channel = slack.by_name(f"incident-{reference}-2")
    assert channel.pins and len(channel.members) == 3
    events = chat_ctx.read(get_timeline, reference)
    created = next(e for e in events if e.kind == "chat_channel_created")
    assert created.data["taken"] == [f"incident-{reference}"]
    assert (
        created.text
        == f"Slack channel #incident-{reference}-2 created (incident-{reference} already taken)"
    )


def test_the_war_room_is_opened_once_however_often_the_scheduler_runs(
    chat_ctx: Context, slack: SlackStandIn
) -> None:
    declare_sev1(chat_ctx)
    scheduler = Scheduler(chat_ctx, transport=lambda *a: None)
    for _ in range(3):
        scheduler.tick()
    assert len(slack.called("conversations.create")) == 1
    assert len(slack.called("pins.add")) == 1
    posts = [c for c in slack.called("chat.postMessage") if not c["channel"].startswith("D")]
    assert len(posts) == 2  # the 🚨 message and the announcement; pages by DM aside
    direct = [c for c in slack.called("chat.postMessage") if c["channel"].startswith("D")]
    assert len(direct) == 1  # the communications lead, whose first contact is Slack


def test_with_chat_off_nothing_is_queued_and_the_channel_item_ticks_at_declaration(
    ctx: Context, slack: SlackStandIn
) -> None:
    reference = declare_sev1(ctx)
    Scheduler(ctx, transport=lambda *a: None).tick()
    with ctx.db.reader() as session:
        assert session.execute(select(ChatPost)).first() is None
    assert slack.calls == []
    assert _item(ctx.read(get_incident, reference), "create-channel")["done"]


def _item(incident: object, item_id: str) -> dict[str, object]:
    items = incident.checklist  # type: ignore[attr-defined]
    found = next(i for i in items if (i["id"] if isinstance(i, dict) else i.id) == item_id)
    return found if isinstance(found, dict) else found.__dict__
