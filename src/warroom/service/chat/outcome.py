"""The chat outbox's two transactions around each Slack call: claiming rows under a
lease (with what the call needs to know), and settling each with what Slack answered: the
channel remembered, the timeline told which channel carried a post, a retry or a failure."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warroom.core.chat import LEASE, RETRY_DELAYS, TEXT_ACTIONS
from warroom.logs import fields
from warroom.service.checklist_ticks import tick_what_warroom_did
from warroom.service.context import Context
from warroom.service.timeline import append_event
from warroom.store.chat_models import ChatPost, ChatRoom
from warroom.store.chat_queries import claim_due_posts, room_of
from warroom.store.engine_queries import lock_incident
from warroom.store.session import log_after_commit

log = logging.getLogger("warroom.chat")

CHANNEL_CREATED = "chat_channel_created"
POSTED = "chat_posted"
FAILED = "chat_failed"
WARROOM = "warroom"


@dataclass(frozen=True)
class Claimed:
    """One leased row and what its Slack call needs."""

    id: int
    incident_id: int
    reference: str
    title: str
    severity: int
    action: str
    text: str
    payload: dict[str, Any]
    attempts: int
    channel_id: str | None
    channel_name: str
    initial_ts: str | None


@dataclass(frozen=True)
class Performed:
    """What came of one row: done (by Slack or Teams), to retry at a time, or failed."""

    done: bool
    via: str | None = None
    error: str | None = None
    retry_after_s: float | None = None  # Slack's Retry-After
    final: bool = False
    result: dict[str, Any] = field(default_factory=dict)  # channel_id, name, ts


def claim(ctx: Context, session: Session, now: datetime, batch: int) -> list[Claimed]:
    """Lease the rows due and first in line for their incident."""
    claimed = []
    for row in claim_due_posts(session, now, batch):
        incident = lock_incident(session, row.incident_id)
        room = room_of(session, row.incident_id)
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        claimed.append(
            Claimed(
                id=row.id, incident_id=row.incident_id, reference=incident.reference,
                title=incident.title, severity=incident.severity, action=row.action,
                text=row.text, payload=dict(row.payload), attempts=row.attempts,
                channel_id=room.channel_id if room else None,
                channel_name=room.name if room else incident.channel,
                initial_ts=room.initial_ts if room else None,
            )
        )  # fmt: skip
    return claimed


def settle(
    ctx: Context, session: Session, claimed: Claimed, performed: Performed, now: datetime
) -> None:
    """Record what came of one row, in its incident's order."""
    row = session.get(ChatPost, claimed.id, with_for_update=True)
    if row is None or row.state != "pending":
        return
    incident = lock_incident(session, claimed.incident_id)
    if performed.done:
        row.state, row.done_at, row.via = "done", now, performed.via
        row.last_error = performed.error
        _remember(ctx, session, claimed, performed, now)
        return
    row.last_error = performed.error
    if not performed.final:
        delay = RETRY_DELAYS[min(claimed.attempts, len(RETRY_DELAYS)) - 1].total_seconds()
        wait = performed.retry_after_s if performed.retry_after_s is not None else delay
        row.next_attempt_at = now + timedelta(seconds=max(0.0, wait))
        return
    row.state = "skipped" if performed.via == "skipped" else "failed"
    if row.state == "failed":
        data = {"action": claimed.action, "error": performed.error, "attempts": claimed.attempts}
        append_event(session, incident, FAILED, now, WARROOM, data)
    line = fields(
        event="chat_failed", reference=claimed.reference, action=claimed.action,
        state=row.state, error=performed.error,
    )  # fmt: skip
    log_after_commit(session, log, line)


def _remember(
    ctx: Context, session: Session, claimed: Claimed, performed: Performed, now: datetime
) -> None:
    incident = lock_incident(session, claimed.incident_id)
    result = performed.result
    if claimed.action == "create":
        session.add(
            ChatRoom(
                incident_id=claimed.incident_id, channel_id=result["channel_id"],
                name=result["name"], created_at=now,
            )
        )  # fmt: skip
        data = {"channel_id": result["channel_id"], "name": result["name"]}
        data["taken"] = result.get("taken", [])
        created = append_event(session, incident, CHANNEL_CREATED, now, WARROOM, data)
        tick_what_warroom_did(session, ctx, incident, created, now)
        return
    room = room_of(session, claimed.incident_id)
    if claimed.action == "initial" and room is not None and performed.via == "slack":
        room.initial_ts = result.get("ts")
    if claimed.action == "archive" and room is not None:
        room.archived_at = now
    if claimed.action in TEXT_ACTIONS:
        channel = claimed.payload.get("channel") or f"#{claimed.channel_name}"
        data = {
            "action": claimed.action,
            "via": performed.via,
            "channel": channel if performed.via == "slack" else "Microsoft Teams",
            "event": claimed.payload.get("event"),
            "slack_error": performed.error,
        }
        append_event(session, incident, POSTED, now, WARROOM, data)
