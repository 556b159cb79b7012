"""`/incident` typed in Slack (SPEC §9): Slack's signature verified (bad or stale: 401),
each subcommand calling the same use case as the API; in an incident's channel the
incident is implied; bad input gets an ephemeral reply, never a 500."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.chat.conftest import SIGNING_SECRET
from tests.chat.slack_standin import SlackStandIn
from warroom.api.app import create_app
from warroom.clock import ManualClock
from warroom.core.playbook import Contact
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import Declaration, declare
from warroom.service.incidents.reading import get_incident, get_timeline

PATH = "/api/v1/chat/slack/commands"


@pytest.fixture
def slack_client(chat_ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(chat_ctx), raise_server_exceptions=False) as client:
        yield client


def signed(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> dict[str, str]:
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command(
    client: TestClient, clock: ManualClock, text: str, *, channel: str = "C-elsewhere",
    user: str = "U000001", name: str = "sre-lead",
) -> str:  # fmt: skip
    body = urlencode(
        {
            "command": "/incident",
            "text": text,
            "channel_id": channel,
            "user_id": user,
            "user_name": name,
        }
    )
    answer = client.post(PATH, content=body, headers=signed(body, int(clock.now().timestamp())))
    assert answer.status_code == 200, answer.text
    assert answer.json()["response_type"] == "ephemeral"
    return str(answer.json()["text"])


def war_room(ctx: Context, slack: SlackStandIn) -> tuple[str, str]:
    made = ctx.transact(declare, Declaration(title="Checkout failing", severity=1), actor="alice")
    Scheduler(ctx, transport=lambda *a: None).tick()
    return made.reference, slack.by_name(f"incident-{made.reference}").id


def test_update_typed_in_the_incident_channel_lands_on_the_timeline_and_in_the_channel(
    chat_ctx: Context, slack: SlackStandIn, slack_client: TestClient, clock: ManualClock
) -> None:
    reference, channel = war_room(chat_ctx, slack)
    reply = command(slack_client, clock, "update Rolled back the deploy", channel=channel)
    assert reply == f"Done: update on {reference}"
    Scheduler(chat_ctx, transport=lambda *a: None).tick()

    events = chat_ctx.read(get_timeline, reference)
    update = next(e for e in events if e.kind == "update_posted")
    assert update.data["message"] == "Rolled back the deploy" and update.actor == "sre-lead"
    assert "Rolled back the deploy" in slack.channels[channel].messages[-1]["text"]


def test_each_subcommand_acts_on_the_incident_of_the_channel(
    chat_ctx: Context, slack: SlackStandIn, slack_client: TestClient, clock: ManualClock
) -> None:
    reference, channel = war_room(chat_ctx, slack)
    for text in (
        "ack",
        "status mitigating",
        "severity 2 only EU customers see errors",
        "role communications_lead @frontend-lead",
        "engage database",
        "public We are looking into failed checkouts",
        "resolve Rolled back the deploy",
    ):
        assert command(slack_client, clock, text, channel=channel).startswith("Done"), text
    incident = chat_ctx.read(get_incident, reference)
    assert incident.acknowledged_at is not None and incident.severity == 2
    assert incident.roles["communications_lead"] == "frontend-lead"
    assert incident.status == "resolved"
    kinds = [e.kind for e in chat_ctx.read(get_timeline, reference)]
    assert {"sme_engaged", "published", "update_posted"} <= set(kinds)


def test_declare_from_slack_opens_an_incident(
    chat_ctx: Context, slack_client: TestClient, clock: ManualClock
) -> None:
    reply = command(slack_client, clock, "declare sev2 Search is slow")
    assert reply == "Declared 2024-01-15-001 (Sev2): Search is slow"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("dance", "Unknown command “dance”. Commands: `/incident declare SEV TITLE`"),
        ("", "Commands:"),
        ("update Rolled back", "`/incident update` needs an incident"),
        ("severity", "Usage: `/incident severity N REASON`"),
        ("declare 9 Nothing", "Not done: severity 9 is not in the playbook"),
        ("declare high Nothing", "Not done: 'high' is not a severity number"),
    ],
)
def test_bad_input_gets_an_ephemeral_reply_that_says_what_is_wrong(
    slack_client: TestClient, clock: ManualClock, text: str, says: str
) -> None:
    assert says in command(slack_client, clock, text)


def test_an_unknown_user_is_told_so(slack_client: TestClient, clock: ManualClock) -> None:
    reply = command(slack_client, clock, "declare 1 Down", user="U999999", name="stranger")
    assert reply.startswith("I don't know <@U999999>")


def test_an_unknown_role_holder_and_an_unknown_role_are_told_so(
    chat_ctx: Context, slack: SlackStandIn, slack_client: TestClient, clock: ManualClock
) -> None:
    _, channel = war_room(chat_ctx, slack)
    assert "I don't know @nobody" in command(
        slack_client, clock, "role technical_lead @nobody", channel=channel
    )
    assert "unknown role" in command(slack_client, clock, "role chef @dba", channel=channel)


def test_a_bad_signature_or_a_stale_timestamp_is_401(
    slack_client: TestClient, clock: ManualClock
) -> None:
    body = urlencode({"text": "declare 1 Down", "user_id": "U000001"})
    now = int(clock.now().timestamp())
    forged = slack_client.post(PATH, content=body, headers=signed(body, now, secret="wrong"))
    stale = slack_client.post(PATH, content=body, headers=signed(body, now - 301))
    unsigned = slack_client.post(PATH, content=body)
    garbled = slack_client.post(
        PATH, content=body, headers={**signed(body, now), "X-Slack-Request-Timestamp": "soon"}
    )
    assert [r.status_code for r in (forged, stale, unsigned, garbled)] == [401, 401, 401, 401]


def test_a_page_to_a_slack_contact_is_a_direct_message_whose_button_acknowledges(
    chat_ctx: Context, slack: SlackStandIn, slack_client: TestClient, clock: ManualClock
) -> None:
    lead = chat_ctx.playbook.people["sre-lead"]
    by_slack = lead.model_copy(update={"contacts": [Contact(method="slack", address="@sre-lead")]})
    people = {**chat_ctx.playbook.people, "sre-lead": by_slack}
    ctx = replace(chat_ctx, playbook=chat_ctx.playbook.model_copy(update={"people": people}))
    made = ctx.transact(declare, Declaration(title="Checkout failing", severity=1), actor="alice")
    Scheduler(ctx, transport=lambda *a: None).tick()

    assert {"users": slack.users["sre-lead"]} in slack.called("conversations.open")
    dm = slack.channels[f"D{slack.users['sre-lead']}"].messages[0]
    button = dm["blocks"][1]["elements"][0]
    assert button["action_id"] == "acknowledge" and button["text"]["text"] == "Acknowledge"

    payload = {
        "type": "block_actions",
        "user": {"id": slack.users["sre-lead"], "username": "sre-lead"},
        "actions": [{"action_id": "acknowledge", "value": button["value"]}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    path = "/api/v1/chat/slack/interactions"
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        now = int(clock.now().timestamp())
        answer = client.post(path, content=body, headers=signed(body, now))
        stale = client.post(path, content=body, headers=signed(body, now - 600))
    assert answer.status_code == 200 and answer.json()["text"] == f"Done: ack on {made.reference}"
    assert ctx.read(get_incident, made.reference).acknowledged_at is not None
    assert stale.status_code == 401
    sent = [e for e in ctx.read(get_timeline, made.reference) if e.kind == "page_sent"]
    assert any(e.data["method"] == "slack" and e.data["delivery"] == "sent" for e in sent)


def test_with_chat_off_the_slack_routes_are_not_there(ctx: Context, clock: ManualClock) -> None:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        body = "text=ack"
        answer = client.post(PATH, content=body, headers=signed(body, int(clock.now().timestamp())))
    assert answer.status_code == 404
