"""Slack's Web API through the official `slack_sdk` WebClient: each chat-outbox action as
the calls Slack documents, and Slack's answers as one error type that says whether a
retry can help. The client's own retries are off: the chat outbox retries, durably."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from warroom.core.chat import (
    ANNOUNCEMENT,
    PAGE_BUTTON,
    SlackAccess,
    channel_names,
    slack_contact,
)
from warroom.core.playbook import Playbook
from warroom.service.chat.outcome import Claimed

Transport = Callable[[str, str, str], None]

TIMEOUT_S = 10
RETRYABLE = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
ALREADY_SO = frozenset({"already_in_channel", "already_pinned", "already_archived"})
NEEDS_CHANNEL = frozenset({"topic", "invite", "initial", "pin", "bookmark", "post", "archive"})


class SlackFailed(Exception):
    """Slack did not do it: `error` is Slack's name for why (or the network's)."""

    def __init__(self, error: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(error)
        self.error = error
        self.retryable = retryable
        self.retry_after_s = retry_after_s


def web_client(access: SlackAccess) -> WebClient:
    return WebClient(
        token=access.token, base_url=access.api_url, timeout=TIMEOUT_S, retry_handlers=[]
    )


def call(method: Callable[..., Any], **arguments: Any) -> dict[str, Any]:
    """One Web API call; SlackFailed on `ok: false`, HTTP errors and network errors."""
    try:
        response = method(**arguments)
    except SlackApiError as exc:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"HTTP {status}")
        if error in ALREADY_SO:
            return {"ok": True, "already": error}
        if status == 429:
            retry_after = exc.response.headers.get("Retry-After", "1")
            raise SlackFailed(
                "ratelimited", retryable=True, retry_after_s=_float(retry_after)
            ) from exc
        raise SlackFailed(error, retryable=status >= 500 or error in RETRYABLE) from exc
    except Exception as exc:  # the network: refused, reset, timed out
        raise SlackFailed(f"{exc.__class__.__name__}: {exc}", retryable=True) from exc
    return dict(response.data) if isinstance(response.data, dict) else {"ok": True}


def announcement(claimed: Claimed) -> str:
    return ANNOUNCEMENT(
        severity=claimed.severity, title=claimed.title, reference=claimed.reference,
        channel=claimed.channel_name, channel_id=claimed.channel_id,
    )  # fmt: skip


class SlackWarRoom:
    """The war room's actions against one workspace."""

    def __init__(self, client: WebClient, playbook: Playbook) -> None:
        self.client = client
        self.playbook = playbook

    def perform(self, claimed: Claimed) -> dict[str, Any]:
        action: Callable[[Claimed], dict[str, Any]] = getattr(self, f"_{claimed.action}")
        return action(claimed)

    def _create(self, claimed: Claimed) -> dict[str, Any]:
        """The incident's channel; a name already taken gets the next suffix (-2 ... -5):
        without channels:read warroom cannot tell whose channel holds the name."""
        taken = []
        for name in channel_names(claimed.channel_name):
            try:
                made = call(self.client.conversations_create, name=name, is_private=False)
            except SlackFailed as exc:
                if exc.error != "name_taken":
                    raise
                taken.append(name)
                continue
            channel = made["channel"]
            return {"channel_id": channel["id"], "name": channel.get("name", name), "taken": taken}
        raise SlackFailed("name_taken", retryable=False)

    def _topic(self, claimed: Claimed) -> dict[str, Any]:
        return call(
            self.client.conversations_setTopic, channel=claimed.channel_id, topic=claimed.text
        )

    def _invite(self, claimed: Claimed) -> dict[str, Any]:
        addresses = [slack_contact(self.playbook, p) for p in claimed.payload.get("people", [])]
        wanted = [a for a in addresses if a]
        ids = user_ids(self.client, wanted)
        unknown = [a for a in wanted if a not in ids]
        if not ids:
            return {"invited": [], "unknown": unknown}
        users = ",".join(dict.fromkeys(ids.values()))
        call(self.client.conversations_invite, channel=claimed.channel_id, users=users)
        return {"invited": list(ids.values()), "unknown": unknown}

    def _initial(self, claimed: Claimed) -> dict[str, Any]:
        return self._say(claimed.channel_id, claimed.text)

    def _post(self, claimed: Claimed) -> dict[str, Any]:
        return self._say(claimed.channel_id, claimed.text)

    def _announce(self, claimed: Claimed) -> dict[str, Any]:
        return self._say(claimed.payload["channel"], announcement(claimed))

    def _pin(self, claimed: Claimed) -> dict[str, Any]:
        if claimed.initial_ts is None:  # the 🚨 message went by Teams: nothing to pin
            return {"ok": True}
        return call(self.client.pins_add, channel=claimed.channel_id, timestamp=claimed.initial_ts)

    def _bookmark(self, claimed: Claimed) -> dict[str, Any]:
        link = claimed.payload["link"]
        return call(
            self.client.bookmarks_add,
            channel_id=claimed.channel_id, title=claimed.text, type="link", link=link,
        )  # fmt: skip

    def _archive(self, claimed: Claimed) -> dict[str, Any]:
        return call(self.client.conversations_archive, channel=claimed.channel_id)

    def _say(self, channel: str | None, text: str) -> dict[str, Any]:
        said = call(self.client.chat_postMessage, channel=channel, text=text)
        return {"ts": said.get("ts"), "channel": said.get("channel")}


def user_ids(client: WebClient, addresses: list[str]) -> dict[str, str]:
    """Each address's Slack user id: `U...` as it is, an `@handle` through users.list."""
    found = {a: a for a in addresses if not a.startswith("@")}
    handles = {a.lstrip("@").lower(): a for a in addresses if a.startswith("@")}
    cursor = None
    while handles:
        page = call(client.users_list, cursor=cursor, limit=200)
        for member in page.get("members", []):
            profile = member.get("profile") or {}
            for name in (member.get("name"), profile.get("display_name")):
                if name and name.lower() in handles:
                    found[handles.pop(name.lower())] = member["id"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return found


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 1.0


DIRECT = "slack-dm:"  # the outbox's address for a page sent by Slack direct message
ACK_LINK = re.compile(r"/ack/([A-Za-z0-9._~-]+)")


def direct_message_url(address: str) -> str:
    return DIRECT + address


def direct_messages(transport: Transport, access: SlackAccess | None) -> Transport:
    """The outbox's transport, with `slack-dm:` addresses sent by Slack (chat on)."""
    if access is None:
        return transport
    client = web_client(access)

    def send(url: str, subject: str, body: str) -> None:
        if not url.startswith(DIRECT):
            transport(url, subject, body)
            return
        send_direct(client, url.removeprefix(DIRECT), subject, body)  # SlackFailed: retried

    return send


def send_direct(client: WebClient, address: str, subject: str, body: str) -> None:
    """A page as a direct message; its Acknowledge button carries the page's signed ack
    token, so pressing it does what the link does (SPEC §3a: a page's acknowledges the
    incident, a heads-up's only that message)."""
    user = address
    if address.startswith("@"):
        user = user_ids(client, [address]).get(address, "")
        if not user:
            raise SlackFailed(f"no Slack user {address}", retryable=False)
    opened = call(client.conversations_open, users=user)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{subject}*\n{body}"}}
    ]
    token = ACK_LINK.search(body)
    if token:
        button = {
            "type": "button", "action_id": "acknowledge", "value": token.group(1),
            "style": "primary", "text": {"type": "plain_text", "text": PAGE_BUTTON()},
        }  # fmt: skip
        blocks.append({"type": "actions", "elements": [button]})
    call(client.chat_postMessage, channel=opened["channel"]["id"], text=subject, blocks=blocks)
