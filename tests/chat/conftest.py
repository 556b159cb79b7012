"""Chat-ops fixtures: the Slack stand-in, the built-in playbook pointed at it with the bot
token in the settings' environment (chat on), and the real scheduler iteration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.chat.slack_standin import TOKEN, SlackStandIn
from tests.harness import harness  # noqa: F401
from warroom.clock import ManualClock
from warroom.core.playbook import Chat, Playbook, SlackChat
from warroom.service.context import Context
from warroom.settings import Settings

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def slack_users(playbook: Playbook) -> dict[str, str]:
    """Every `@handle` of the playbook as a Slack user: handle -> user id."""
    handles = [
        c.address.lstrip("@")
        for person in playbook.people.values()
        for c in person.contacts
        if c.method == "slack"
    ]
    return {handle: f"U{index:06d}" for index, handle in enumerate(handles, 1)}


@pytest.fixture
def slack(playbook: Playbook) -> Iterator[SlackStandIn]:
    standin = SlackStandIn(slack_users(playbook)).start()
    yield standin
    standin.stop()


def with_chat(playbook: Playbook, api_url: str, teams: str | None = None) -> Playbook:
    slack = SlackChat(api_url=api_url, announce_channel="#incidents")
    return playbook.model_copy(update={"chat": Chat(slack=slack, teams_backup=teams)})


def chat_settings(settings: Settings) -> Settings:
    environment = {"WARROOM_SLACK_TOKEN": TOKEN, "WARROOM_SLACK_SIGNING_SECRET": SIGNING_SECRET}
    return replace(settings, environment=environment)


@pytest.fixture
def chat_ctx(ctx: Context, slack: SlackStandIn) -> Context:
    """The service context with chat on, against the stand-in."""
    return replace(
        ctx, playbook=with_chat(ctx.playbook, slack.url), settings=chat_settings(ctx.settings)
    )


@pytest.fixture
def chat_clock(clock: ManualClock) -> ManualClock:
    return clock
