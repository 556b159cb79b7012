"""The intake inbox: an accepted payload is committed here before its sender hears 2xx, and
the scheduler applies it to incidents moments later, each group in arrival order.

Answering after the inbox commit rather than after the incident work keeps the promise
(nothing answered 2xx is lost: the payload is on disk) while a burst of alerts costs the
sender one small insert each. Requests that arrive while a commit is in flight share the
next one (`GroupCommit`). Applying runs one payload per savepoint; a payload that cannot be
applied becomes a dead letter with the reason (`intake.dead_letters`, kept until retried),
so it neither blocks the ones after it nor disappears.

Order: one applier at a time (an advisory lock on PostgreSQL, the single writer on SQLite)
applies the oldest payloads first, except that behind a backlog the payloads of groups with
no open incident (those that open one and page) go ahead. Within a group the order is
always arrival order, so a sender that waits for each answer, as Alertmanager does per
group, has its notifications applied in the order sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from warroom.core.playbook import Intake
from warroom.intake import alertmanager, generic, grafana, pagerduty
from warroom.intake import applier as intake
from warroom.intake import keys as integration_keys
from warroom.intake.common import digest, read_json
from warroom.intake.routing import Notification, coalesce
from warroom.service.context import Context
from warroom.store import inbox_queries
from warroom.store.engine_queries import LOCKED
from warroom.store.inbox_queries import Inboxed
from warroom.store.intake_models import DeadLetter, Integration
from warroom.store.session import Database

log = logging.getLogger("warroom.intake")

APPLY_BATCH = 200  # payloads per applying transaction at most ...
# ... and about this much of them: alerts applied together share the transaction's costs,
# chiefly the pages of the alerts' unique index it rewrites at random places, while an
# inbox commit that waits behind a larger one waits longer.
APPLY_BYTES = 1024 * 1024
# While senders wait for SQLite's writer, a quarter of that: they wait behind each
# transaction (applied slower then, each alert costing more in a smaller one).
APPLY_BYTES_SENDERS_WAITING = 256 * 1024
KEYED_SOURCES = ("pagerduty", "generic")  # a missing dedup_key gets a generated one
HANDED_OVER_ALERTS = 20_000  # parsed alerts held in memory for the applier, at most ...
HOLD_S = 60.0  # ... each for this long at most
APPLIER_SEEN_S = 5.0  # an applier that polled within this long is this process's


@dataclass(frozen=True)
class Accepted:
    """A payload that passed the edge's checks, as it will be committed to the inbox."""

    integration_id: int
    kind: str
    received_at: datetime
    new_key: str
    body: bytes
    note: Notification | None = field(default=None, compare=False)  # as the desk parsed it

    def row(self) -> dict[str, Any]:
        return {
            "integration_id": self.integration_id,
            "kind": self.kind,
            "received_at": self.received_at,
            "new_key": self.new_key,
            "body": self.body,
            "group_hash": digest(self.note.group_key) if self.note else None,
        }


class HandOver:
    """Notifications the desk parsed, held for this process's applier so that it need not
    parse them again; whatever is not here (accepted by another process, before a restart,
    or past the bounds) it parses from the inbox row. Keyed by everything the parse depends
    on, so what it finds is the very parse it would have made. Held only while an applier
    in this process is polling (not in `serve --no-scheduler`), and for HOLD_S at most (on
    PostgreSQL another process's applier may take the payload)."""

    def __init__(
        self,
        max_alerts: int = HANDED_OVER_ALERTS,
        hold_s: float = HOLD_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_alerts = max_alerts
        self.hold_s = hold_s
        self._monotonic = monotonic
        self._held: dict[tuple[Any, ...], tuple[Notification, float]] = {}  # oldest first
        self._alerts = 0
        self._applier_polled = -hold_s
        self._lock = threading.Lock()

    def applier_polling(self) -> None:
        self._applier_polled = self._monotonic()

    def keep(self, db: Database, payloads: Sequence[Accepted]) -> None:
        now = self._monotonic()
        if now - self._applier_polled > APPLIER_SEEN_S:
            return
        with self._lock:
            self._forget_older_than(now - self.hold_s)
            for payload in payloads:
                note = payload.note
                if note is None or self._alerts + len(note.alerts) > self.max_alerts:
                    continue
                self._held[_identity(db, payload)] = (note, now)
                self._alerts += len(note.alerts)

    def take(self, db: Database, row: Inboxed) -> Notification | None:
        with self._lock:
            held = self._held.pop(_identity(db, row), None)
            if held is None:
                return None
            self._alerts -= len(held[0].alerts)
        return held[0]

    def _forget_older_than(self, moment: float) -> None:
        while self._held:
            key = next(iter(self._held))
            note, kept = self._held[key]
            if kept >= moment:
                return
            del self._held[key]
            self._alerts -= len(note.alerts)


def _identity(db: Database, payload: Accepted | Inboxed) -> tuple[Any, ...]:
    """What a parse depends on, alike for a payload accepted and its inbox row."""
    return (
        db.url,
        payload.integration_id,
        payload.kind,
        payload.new_key,
        payload.received_at,
        payload.body,
    )


class InboxCommitted(threading.Event):
    """Set after each inbox commit: this process's applier wakes."""


def replay_key(body: Any, note: Notification) -> str:
    """What re-parsing needs to repeat a parse: the group key generated for an event sent
    without a dedup_key (PagerDuty, generic), else nothing."""
    keyless = isinstance(body, dict) and not body.get("dedup_key")
    return note.group_key if keyless and note.source in KEYED_SOURCES else ""


def parse_payload(
    kind: str, body: Any, now: datetime, key: str | None, rules: Intake
) -> Notification:
    """The one place that maps an integration type to its parser."""
    if kind == "alertmanager":
        return alertmanager.parse(body, now)
    if kind == "grafana":
        return grafana.parse(body, now)
    if kind == "generic":
        return generic.parse(body, now, rules, new_key=key)
    return pagerduty.parse(body, now, new_key=key).notification


class Applied(NamedTuple):
    payloads: int  # payloads applied
    drained: bool  # nothing else was waiting when they were taken
    waited_s: float = 0.0  # how long the longest waiting of them had waited


def apply_waiting(
    ctx: Context,
    limit: int = APPLY_BATCH,
    *,
    new_groups_first: bool = True,
    peek: bool = True,
    max_bytes: int = APPLY_BYTES,
    give_way: Callable[[], bool] = lambda: False,
) -> Applied:
    """Apply the oldest inbox payloads, up to `limit` or `max_bytes` of them, in one
    transaction. A group's run of triggers is applied as one. `peek` first looks for an
    empty inbox in a read, so idle polls never take the write lock (a caller that knows a
    backlog waits skips it). Behind a backlog, `new_groups_first` takes the payloads of
    groups with no open incident (the ones that page) first. `give_way`, asked after each
    unit applied: True commits what is applied so far and leaves the rest waiting (the
    applier gives SQLite's writer back to the senders waiting for it)."""
    ctx.runtime.part(HandOver).applier_polling()
    if peek and not inbox_queries.inbox_has_payloads(ctx.db):
        return Applied(0, drained=True)
    with ctx.db.unit_of_work() as session:
        inbox_queries.take_applier_turn(ctx.db, session)
        rows, drained = _next_payloads(ctx.db, session, limit, max_bytes, new_groups_first)
        parsed = [(row, _parse(ctx, session, row)) for row in rows]
        readable = [(row, note) for row, note in parsed if note is not None]
        done = [row for row, note in parsed if note is None]  # dead letters already
        integrations: dict[int, integration_keys.IntegrationInfo] = {}
        units = coalesce([(row.integration_id, note) for row, note in readable])
        for n, (positions, note) in enumerate(units, start=1):
            pairs = [readable[p] for p in positions]
            failure = _failure(ctx, session, pairs[0][0], note, integrations)
            if failure is not None and len(pairs) == 1:
                session.add(_dead_letter(ctx, pairs[0][0], failure))
            elif failure is not None:
                _apply_one_by_one(ctx, session, pairs, integrations)
            done += [row for row, _ in pairs]
            if n < len(units) and give_way():
                # units go by their first payload, so each group keeps a suffix waiting
                drained = False
                break
        if done:
            inbox_queries.delete_payloads(ctx.db, session, [r.id for r in done])
    oldest = min((row.received_at for row in done), default=None)
    waited = 0.0 if oldest is None else (ctx.clock.now() - oldest).total_seconds()
    return Applied(len(done), drained, waited)


def apply_all(ctx: Context) -> int:
    """Apply everything waiting (bounded by what is there now): for tests and the CLI."""
    backlog = pending(ctx)
    done = 0
    while done < backlog and (applied := apply_waiting(ctx).payloads):
        done += applied
    return done


def pending(ctx: Context) -> int:
    return backlog(ctx)[0]


def backlog(ctx: Context) -> tuple[int, float | None]:
    """Accepted payloads not yet applied, and how many seconds the oldest has waited."""
    with ctx.db.reader() as session:
        count, oldest = inbox_queries.inbox_backlog(session)
    waited = None if oldest is None else (ctx.clock.now() - oldest).total_seconds()
    return count, waited


def _next_payloads(
    db: Database, session: Session, limit: int, max_bytes: int, new_groups_first: bool
) -> tuple[list[Inboxed], bool]:
    """The payloads to apply now, at most `limit` and about `max_bytes`, and whether
    they are all there was. Oldest first; but behind a backlog, groups with no open
    incident go first: a storm in one group never holds back another group's page. Each
    group's payloads still go in the order they came: whether a group has an open
    incident holds for all of its payloads alike."""
    oldest = inbox_queries.oldest_sizes(session, limit + 1)
    chosen = _within_bytes(oldest[:limit], max_bytes)
    drained = len(chosen) == len(oldest)
    if not drained and new_groups_first:
        ahead = inbox_queries.oldest_sizes(session, limit, without_open_incident=True)
        chosen = _within_bytes(ahead, max_bytes) or chosen
    if not chosen:
        return [], drained
    return inbox_queries.payloads(db, session, chosen), drained


def _within_bytes(sizes: Sequence[Row[Any, Any]], max_bytes: int) -> list[int]:
    """The first ids whose bodies add up to about `max_bytes` (always at least one)."""
    chosen: list[int] = []
    total = 0
    for payload_id, size in sizes:
        if chosen and total + int(size) > max_bytes:
            break
        chosen.append(payload_id)
        total += int(size)
    return chosen


def _parse(ctx: Context, session: Session, row: Inboxed) -> Notification | None:
    if (note := ctx.runtime.part(HandOver).take(ctx.db, row)) is not None:
        return note
    try:
        body = read_json(row.body)
        return parse_payload(row.kind, body, row.received_at, row.new_key, ctx.playbook.intake)
    except Exception as exc:  # it parsed at the edge: only a change of playbook gets here
        log.exception("event=intake_apply_failed inbox_id=%d kind=%s", row.id, row.kind)
        session.add(_dead_letter(ctx, row, exc))
        return None


def _apply_one_by_one(
    ctx: Context,
    session: Session,
    pairs: list[tuple[Inboxed, Notification]],
    integrations: dict[int, integration_keys.IntegrationInfo],
) -> None:
    """A coalesced unit failed: each of its payloads alone, so only the faulty one is moved
    becomes a dead letter."""
    for row, note in pairs:
        failure = _failure(ctx, session, row, note, integrations)
        if failure is not None:
            session.add(_dead_letter(ctx, row, failure))


def _failure(
    ctx: Context,
    session: Session,
    row: Inboxed,
    note: Notification,
    integrations: dict[int, integration_keys.IntegrationInfo],
) -> Exception | None:
    """Apply in a savepoint: None, or what it raised (the savepoint rolled back)."""
    try:
        with session.begin_nested():
            found = integrations.get(row.integration_id) or _integration(session, row)
            integrations[row.integration_id] = found
            intake.apply(ctx, session, found, note)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the whole batch stays in the inbox for a retry
    except Exception as exc:
        session.info.pop(LOCKED, None)  # locks taken in the savepoint went with it
        log.exception("event=intake_apply_failed inbox_id=%d kind=%s", row.id, row.kind)
        return exc
    return None


def _integration(session: Session, row: Inboxed) -> integration_keys.IntegrationInfo:
    """The integration that sent it, revoked since or not: it was valid when accepted."""
    found = session.get(Integration, row.integration_id)
    assert found is not None, "integrations are revoked, never deleted"
    return integration_keys.integration_info(found)


def _dead_letter(ctx: Context, row: Inboxed, exc: Exception) -> DeadLetter:
    """The payload whole, so that a retry applies exactly what was accepted."""
    return DeadLetter(
        inbox_id=row.id,
        integration_id=row.integration_id,
        kind=row.kind,
        received_at=row.received_at,
        failed_at=ctx.clock.now(),
        new_key=row.new_key,
        reason=f"accepted but could not be applied: {exc.__class__.__name__}: {exc}"[:2000],
        field=getattr(exc, "field", None),
        body=row.body,
    )
