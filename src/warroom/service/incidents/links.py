"""Pages as people see them: the outbox of an incident, and acknowledging from a link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core.ack_links import read_token, token_digest
from warroom.core.incident import EventKind
from warroom.errors import Conflict, NotFound
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import record
from warroom.service.paging.engine import advance
from warroom.service.paging.texts import ack_secret
from warroom.service.timeline import append_event
from warroom.store.engine_models import UsedAckToken
from warroom.store.engine_queries import lock_incident
from warroom.store.incident_queries import message_by_key, messages_of, steps_sent_by
from warroom.store.models import Incident, OutboxMessage
from warroom.store.queries import incident_by_reference, insert_if_absent


def list_pages(ctx: Context, session: Session, reference: str) -> list[dict[str, Any]]:
    """Every message queued for an incident, with its delivery state and attempts."""
    incident = incident_by_reference(session, reference)
    return [
        {
            "key": row.key,
            "kind": row.kind,
            "person": row.person,
            "method": row.method,
            "address": row.address,
            "state": row.state,
            "attempts": row.attempts,
            "error": row.last_error,
            "created_at": row.created_at,
            "sent_at": row.sent_at,
            "subject": row.subject,
        }
        for row in messages_of(session, incident.id)
    ]


@dataclass(frozen=True)
class LinkView:
    reference: str
    title: str
    severity: int
    person: str | None
    kind: str
    used: bool


def view_link(ctx: Context, session: Session, token: str) -> LinkView:
    """What a link would acknowledge (the GET confirm page); changes nothing."""
    claim = read_token(ack_secret(ctx.settings), token, ctx.clock.now())
    message, incident = _message_and_incident(session, claim.message_key)
    used = session.get(UsedAckToken, token_digest(token)) is not None
    return LinkView(
        incident.reference,
        incident.title,
        incident.severity,
        message.person,
        message.kind,
        used,
    )


def acknowledge_link(ctx: Context, session: Session, token: str) -> LinkView:
    """POST of a link, once: acknowledge that message; a page's link (a message to a role
    holder) also acknowledges the incident, a heads-up's or notification's does not, so an
    executive's "seen" never stops the responders' clock (SPEC §3a)."""
    now = ctx.clock.now()
    claim = read_token(ack_secret(ctx.settings), token, now)
    message, incident = _message_and_incident(session, claim.message_key)
    incident = lock_incident(session, incident.id)
    if incident.status == "resolved":
        raise Conflict(f"incident {incident.reference} is already resolved", "token")
    values = {"digest": token_digest(token), "outbox_key": message.key, "used_at": now}
    if not insert_if_absent(session, UsedAckToken, values):
        raise Conflict("this acknowledgement link was already used", "token")
    person = message.person or "link"
    kinds = _mark_acknowledged(session, message.key, now)
    append_event(
        session, incident, EventKind.PAGE_ACKNOWLEDGED, now, person,
        {"message": message.key.split(":", 2)[-1], "person": message.person, "via": "link"},
    )  # fmt: skip
    if incident.acknowledged_at is None and "page" in kinds:
        incident.acknowledged_at, incident.acknowledged_by = now, person
        data = {"person": message.person, "via": "link"}
        record(ctx, session, incident, EventKind.ACKNOWLEDGED, now, person, data, now=now)
    else:
        advance(session, ctx, incident, now)
    return LinkView(
        incident.reference,
        incident.title,
        incident.severity,
        message.person,
        message.kind,
        True,
    )


def _mark_acknowledged(session: Session, key: str, now: datetime) -> set[str]:
    """Mark the steps the message spoke for acknowledged; return their chains' kinds (page,
    heads_up, notify, reminder): one message may speak for a page and a notification."""
    kinds = set()
    for step in steps_sent_by(session, key):
        step.acknowledged_at = step.acknowledged_at or now
        kinds.add(step.kind or "")
    return kinds


def _message_and_incident(session: Session, key: str) -> tuple[OutboxMessage, Incident]:
    message = message_by_key(session, key)
    if message is None or message.incident_id is None:
        raise NotFound("this acknowledgement link names no message", "token")
    incident = session.get(Incident, message.incident_id)
    if incident is None:
        raise NotFound("this acknowledgement link names no incident", "token")
    return message, incident
