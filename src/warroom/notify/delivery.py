"""Outbox delivery through Apprise: claim due messages, send, settle; retry with backoff.

A message whose method has no channel in the playbook is `recorded` (the built-in outbox:
kept, listed, sent nowhere). Sending happens outside any transaction: a claim leases the
row (`next_attempt_at` moves past the lease), so a crash mid-send only retries that row
after the lease, and no other worker sends it meanwhile.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

import apprise
from sqlalchemy.orm import Session

from warroom.core.playbook import Playbook, PlaybookProblem
from warroom.notify.email import EmailFailed, KeptConnections, over_kept_connections, send_email
from warroom.notify.notifiers import KeptNotifiers, NotifierRejected, fresh_notifier
from warroom.notify.slack import DIRECT, direct_message_url, direct_messages
from warroom.service.chat.queue import chat_on
from warroom.service.context import Context
from warroom.store.engine_queries import lock_incidents
from warroom.store.models import OutboxMessage
from warroom.store.outbox_queries import any_message_due, claim_due_messages, lock_messages

log = logging.getLogger("warroom.delivery")

RETRY_DELAYS = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
SAMPLE_ADDRESS = "warroom-check"
SENDS_IN_FLIGHT = 8  # Apprise's transports block on the network: a claimed batch is sent this wide
SENDS_PER_CHANNEL = 6  # of those, one channel's at most: a slow server never holds every thread
SETTLE_EVERY_S = 0.05  # finished sends are settled together, one transaction per this long


class DeliveryError(Exception):
    """A transport could not deliver a message; the text says why."""


Transport = Callable[[str, str, str], None]
Outcome = Callable[[Session, Context, OutboxMessage, datetime, str | None, bool], None]


def apprise_send(
    url: str,
    subject: str,
    body: str,
    kept: KeptConnections | None = None,
    notifiers: KeptNotifiers | None = None,
) -> None:
    """Send one message through Apprise (plain email over `kept` connections, see
    `notify.email`; without them, a connection for this email alone), through this thread's
    notifier for the URL in `notifiers` where it keeps one (`notify.notifiers`);
    DeliveryError with the reason."""
    if over_kept_connections(url):
        try:
            send_email(url, subject, body, kept)
        except EmailFailed as exc:
            raise DeliveryError(str(exc)) from exc
        return
    try:
        notifier = notifiers.notifier(url) if notifiers else fresh_notifier(url)
    except NotifierRejected:
        raise DeliveryError(f"Apprise rejects the URL {_redact(url)}") from None
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
    incident_id: int | None
    key: str
    channel: str
    url: str
    subject: str
    body: str


def drain(
    ctx: Context,
    outcome: Outcome,
    transport: Transport | None = None,
    batch: int = 100,
) -> int:
    """Deliver up to `batch` due messages through `transport` (by default Apprise over the
    process's kept connections); returns how many were handled. Sends happen outside any
    transaction."""
    claimed, recorded = _claim(ctx, outcome, batch)
    senders = ctx.runtime.part(Senders)
    transport = transport or senders.send
    if claimed and any(message.url.startswith(DIRECT) for message in claimed):
        transport = direct_messages(transport, chat_on(ctx))
    sends = ChannelSends(senders.pool, transport, claimed)
    while sends.running:
        # the sends over by now settle together: one writer turn for many, not one each
        wait(sends.running, return_when=FIRST_COMPLETED)
        over, _ = wait(sends.running, timeout=SETTLE_EVERY_S)
        _settle(ctx, outcome, sends.finished(over))
    return len(claimed) + recorded


class ChannelSends:
    """A claimed batch's sends in claim order (the highest severity first), with at most
    SENDS_PER_CHANNEL of one channel in flight: a channel whose server is slow keeps a few
    threads waiting, and the batch's other channels go out beside it."""

    def __init__(self, pool: ThreadPoolExecutor, transport: Transport, messages: list[Claimed]):
        self.pool, self.transport = pool, transport
        self.waiting: dict[str, deque[Claimed]] = {}
        for message in messages:
            self.waiting.setdefault(message.channel, deque()).append(message)
        self.running: dict[Future[str | None], Claimed] = {}
        self.in_flight: Counter[str] = Counter()
        self._start()

    def finished(self, over: set[Future[str | None]]) -> dict[Claimed, str | None]:
        """The sends that are over, with their errors; their channels' next sends start."""
        results = {}
        for send in over:
            message = self.running.pop(send)
            self.in_flight[message.channel] -= 1
            results[message] = send.result()
        self._start()
        return results

    def _start(self) -> None:
        for channel, waiting in self.waiting.items():
            while waiting and self.in_flight[channel] < SENDS_PER_CHANNEL:
                message = waiting.popleft()
                self.running[self.pool.submit(_attempt, self.transport, message)] = message
                self.in_flight[channel] += 1


class Senders:
    """The threads a process sends through and their kept email connections, made once
    (the context's runtime)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(SENDS_IN_FLIGHT, thread_name_prefix="warroom-send")
        self.mail = KeptConnections()
        self.notifiers = KeptNotifiers()

    def send(self, url: str, subject: str, body: str) -> None:
        apprise_send(url, subject, body, self.mail, self.notifiers)


def _attempt(transport: Transport, message: Claimed) -> str | None:
    """Send one message; why it failed, or None."""
    try:
        transport(message.url, message.subject, message.body)
    except Exception as exc:  # a delivery error never stops the worker
        return str(exc) or exc.__class__.__name__
    return None


def _claim(ctx: Context, outcome: Outcome, batch: int) -> tuple[list[Claimed], int]:
    """Lease the due messages that have a channel, record the rest (all written together;
    if a recorded one's outcome fails, the claim runs once more with each in a savepoint)."""
    if not any_message_due(ctx.db, ctx.clock.now()):
        return [], 0
    try:
        return _claim_batch(ctx, outcome, batch, careful=False)
    except Exception:
        return _claim_batch(ctx, outcome, batch, careful=True)


def _claim_batch(
    ctx: Context, outcome: Outcome, batch: int, careful: bool
) -> tuple[list[Claimed], int]:
    now = ctx.clock.now()
    claimed: list[Claimed] = []
    recorded: list[OutboxMessage] = []
    by_slack = chat_on(ctx) is not None and "slack" not in ctx.playbook.channels
    with ctx.db.unit_of_work() as session:
        rows = claim_due_messages(session, now, batch)
        urls = {row.id: _url_of(ctx, row, by_slack) for row in rows}
        # a recorded message's outcome goes on its incident's timeline; an incident another
        # transaction holds is skipped, not waited for (it may be waiting for these rows)
        to_record = {r.incident_id for r in rows if urls[r.id] is None and r.incident_id}
        held_elsewhere = to_record - lock_incidents(session, to_record, skip_locked=True)
        for row in rows:
            url = urls[row.id]
            if url is None and row.incident_id in held_elsewhere:
                continue  # left due, for the next claim
            row.attempts += 1
            if url is None:
                row.state, row.sent_at = "recorded", now
                recorded.append(row)
            else:
                row.next_attempt_at = now + LEASE
                claimed.append(
                    Claimed(
                        row.id, row.incident_id, row.key, row.method, url, row.subject, row.body
                    )
                )  # in claim order: sent by priority
        for row in sorted(recorded, key=lambda r: (r.incident_id or 0, r.id)):
            if careful:
                _record_outcome(session, ctx, outcome, row, now)
            else:
                outcome(session, ctx, row, now, None, True)
    return claimed, len(recorded)


def _url_of(ctx: Context, row: OutboxMessage, by_slack: bool) -> str | None:
    """Where a claimed message goes; None: recorded (kept in the built-in outbox)."""
    if row.outbox_only:
        return None
    if by_slack and row.method == "slack":
        return direct_message_url(row.address)  # chat on: a page by Slack DM
    return channel_url(ctx.playbook, row.method, row.address)


def _record_outcome(
    session: Session, ctx: Context, outcome: Outcome, row: OutboxMessage, now: datetime
) -> None:
    """A recorded message's outcome in a savepoint: a failure there is logged and never
    holds back the rest of the claimed batch."""
    try:
        with session.begin_nested():
            outcome(session, ctx, row, now, None, True)
    except Exception:
        log.exception("recording a message failed message=%s", row.key)
        row.state, row.sent_at = "recorded", now


def _settle(ctx: Context, outcome: Outcome, results: dict[Claimed, str | None]) -> None:
    """Settle finished sends in one transaction: the incidents first, then the messages,
    each in id order (the lock order every worker keeps). All at once, written together;
    if any of them fails, once more with each message in a savepoint of its own."""
    if not results:
        return
    try:
        _settle_together(ctx, outcome, results, careful=False)
    except Exception:
        _settle_together(ctx, outcome, results, careful=True)


def _settle_together(
    ctx: Context, outcome: Outcome, results: dict[Claimed, str | None], careful: bool
) -> None:
    now = ctx.clock.now()
    errors = {message.id: error for message, error in results.items()}
    with ctx.db.unit_of_work() as session:
        lock_incidents(session, {m.incident_id for m in results if m.incident_id is not None})
        for row in lock_messages(session, sorted(errors)):
            if not careful:
                _settle_one(session, ctx, outcome, row, errors[row.id], now)
                continue
            try:
                with session.begin_nested():
                    _settle_one(session, ctx, outcome, row, errors[row.id], now)
            except Exception:
                # the send is over either way: record it, or it would be sent again
                log.exception("settling a delivery failed message=%s", row.key)
                if errors[row.id] is None:
                    row.state, row.sent_at = "sent", now


def _settle_one(
    session: Session,
    ctx: Context,
    outcome: Outcome,
    row: OutboxMessage,
    error: str | None,
    now: datetime,
) -> None:
    if row.state == "cancelled" and error is not None:
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
