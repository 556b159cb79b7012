"""The chat outbox's one door: whether chat is on, and queueing a row for an incident in
the caller's transaction (idempotent on its key). A leaf: the paging engine posts its
escalations and SLA breaches through `post_event` without knowing the rest of chat-ops."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core.chat import MESSAGE_OF_KIND, POST, POSTED_KINDS, SlackAccess, slack_access
from warroom.core.timeline_text import sentence
from warroom.service.context import Context
from warroom.service.messages import render_or_fallback
from warroom.store.chat_models import ChatPost
from warroom.store.models import Incident, TimelineEvent
from warroom.store.queries import insert_if_absent, timeline


def chat_on(ctx: Context) -> SlackAccess | None:
    """Slack's access when chat is on; None when no token is configured (chat off)."""
    return slack_access(ctx.playbook, ctx.settings.environment)


def quiet(incident: Incident) -> bool:
    """Drills and records after the fact have no war room."""
    return incident.drill or incident.retrospective


def queue(
    session: Session,
    incident: Incident,
    key: str,
    action: str,
    now: datetime,
    *,
    text: str = "",
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Queue one chat row under `chat:<incident>:<key>`; False if it was already queued."""
    return insert_if_absent(
        session,
        ChatPost,
        {
            "key": f"chat:{incident.id}:{key}",
            "incident_id": incident.id,
            "action": action,
            "text": text,
            "payload": payload or {},
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": due_at or now,
        },
    )


def post_event(
    session: Session, ctx: Context, incident: Incident, event: TimelineEvent, now: datetime
) -> None:
    """A timeline change people care about, posted to the incident's channel in order."""
    if event.kind not in POSTED_KINDS or quiet(incident) or chat_on(ctx) is None:
        return
    message = MESSAGE_OF_KIND.get(event.kind)
    if message:
        text = render_or_fallback(ctx, incident, timeline(session, incident.id), message)
    else:
        said = sentence(ctx.playbook, event.kind, event.actor, event.data)
        text = POST(sentence=said, who=ctx.playbook.person_name(event.actor))
    data = {"event": event.seq, "kind": event.kind}
    queue(session, incident, f"event:{event.seq}", "post", now, text=text, payload=data)
