"""Outbox delivery through Apprise: claim due messages, send, settle; retry with backoff.

A message whose method has no channel in the playbook is `recorded` (the built-in outbox:
kept, listed, sent nowhere). Sending happens outside any transaction: a claim leases the
row (`next_attempt_at` moves past the lease), so a crash mid-send only retries that row
after the lease, and no other worker sends it meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

import apprise
from sqlalchemy.orm import Session

from warroom.core.playbook import Playbook, PlaybookProblem
from warroom.notify.slack import DIRECT, direct_message_url, direct_messages
from warroom.service.chat.queue import chat_on
from warroom.service.context import Context
from warroom.store.models import OutboxMessage
from warroom.store.outbox_queries import any_message_due, claim_due_messages

log = logging.getLogger("warroom.delivery")

RETRY_DELAYS = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
SAMPLE_ADDRESS = "warroom-check"
SENDS_IN_FLIGHT = 8  # Apprise's transports block on the network: a claimed batch is sent this wide


class DeliveryError(Exception):
    """A transport could not deliver a message; the text says why."""


Transport = Callable[[str, str, str], None]
Outcome = Callable[[Session, Context, OutboxMessage, datetime, str | None, bool], None]


def apprise_send(url: str, subject: str, body: str) -> None:
    """Send one message through Apprise; DeliveryError with Apprise's reason on failure."""
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise DeliveryError(f"Apprise rejects the URL {_redact(url)}")
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = notifier.notify(title=subject, body=body)
    if not ok:
        reason = captured.getvalue().strip().splitlines()
        raise DeliveryError(reason[-1] if reason else "Apprise reported a failed delivery")


def channel_url(playbook: Playbook, method: str, address: str) -> str | None:
    """The Apprise URL for one contact; None when the method has no channel (recorded)."""
    if method == "apprise":
        return address
    template = playbook.channels.get(method)  # type: ignore[call-overload]
    return template.replace("{address}", address) if template else None


def channel_problems(playbook: Playbook) -> list[PlaybookProblem]:
    """Every channel URL Apprise would refuse, with its YAML path (checked at start)."""
    urls = [
        (
            f"channels.{method}",
            template,
            template.replace("{address}", _sample_address(playbook, method)),
        )
        for method, template in playbook.channels.items()
    ] + [
        (f"communication.announce_to.{index}", url, url)
        for index, url in enumerate(playbook.communication.announce_to)
    ]
    if playbook.chat.teams_backup:
        urls.append(("chat.teams_backup", playbook.chat.teams_backup, playbook.chat.teams_backup))
    return [
        PlaybookProblem(path=path, message=f"Apprise rejects the URL {written!r}")
        for path, written, url in urls
        if apprise.Apprise.instantiate(url) is None
    ]


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    url: str
    subject: str
    body: str


def drain(
    ctx: Context,
    outcome: Outcome,
    transport: Transport = apprise_send,
    batch: int = 100,
) -> int:
    """Deliver up to `batch` due messages; returns how many were handled. Sends happen
    outside any transaction."""
    claimed, recorded = _claim(ctx, outcome, batch)
    if claimed and any(message.url.startswith(DIRECT) for message in claimed):
        transport = direct_messages(transport, chat_on(ctx))
    senders = ctx.runtime.part(Senders).pool
    sending = {senders.submit(_attempt, transport, message): message for message in claimed}
    for sent in as_completed(sending):  # each settles as soon as its send is over
        _settle(ctx, outcome, sending[sent], sent.result())
    return len(claimed) + recorded


class Senders:
    """The threads a process sends through, made once (the context's runtime)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(SENDS_IN_FLIGHT, thread_name_prefix="warroom-send")


def _attempt(transport: Transport, message: Claimed) -> str | None:
    """Send one message; why it failed, or None."""
    try:
        transport(message.url, message.subject, message.body)
    except Exception as exc:  # a delivery error never stops the worker
        return str(exc) or exc.__class__.__name__
    return None


def _claim(ctx: Context, outcome: Outcome, batch: int) -> tuple[list[Claimed], int]:
    now = ctx.clock.now()
    if not any_message_due(ctx.db, now):
        return [], 0
    claimed: list[Claimed] = []
    recorded = 0
    by_slack = chat_on(ctx) is not None and "slack" not in ctx.playbook.channels
    with ctx.db.unit_of_work() as session:
        rows = claim_due_messages(session, now, batch)
        for row in sorted(rows, key=lambda r: (r.incident_id or 0, r.id)):
            url = None if row.outbox_only else channel_url(ctx.playbook, row.method, row.address)
            if by_slack and row.method == "slack" and not row.outbox_only:
                url = direct_message_url(row.address)  # chat on: a page by Slack DM
            row.attempts += 1
            if url is None:
                row.state, row.sent_at = "recorded", now
                outcome(session, ctx, row, now, None, True)
                recorded += 1
            else:
                row.next_attempt_at = now + LEASE
                claimed.append(Claimed(row.id, row.key, url, row.subject, row.body))
    return claimed, recorded


def _settle(ctx: Context, outcome: Outcome, message: Claimed, error: str | None) -> None:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        row = session.get(OutboxMessage, message.id, with_for_update=True)
        if row is None or (row.state == "cancelled" and error is not None):
            return
        final = error is None or row.attempts >= MAX_ATTEMPTS
        if error is None:
            row.state, row.sent_at, row.last_error = "sent", now, None
        else:
            row.last_error = error
            if final:
                row.state = "failed"
            else:
                row.next_attempt_at = now + RETRY_DELAYS[row.attempts - 1]
            log.warning(
                "delivery failed message=%s attempt=%d final=%s error=%s",
                row.key, row.attempts, final, error,
            )  # fmt: skip
        outcome(session, ctx, row, now, error, final)


def _sample_address(playbook: Playbook, method: str) -> str:
    for person in playbook.people.values():
        for contact in person.contacts:
            if contact.method == method:
                return contact.address
    return SAMPLE_ADDRESS


def _redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('@')[-1]}" if rest else url
