"""The war room's life in Slack, as rows in the chat outbox: opened at declaration
(channel, topic, role holders, the pinned 🚨 message, bookmarks, the announcement), kept
current as roles and severity change, archived `archive_after` the resolution."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from warroom.core import war_room
from warroom.core.chat import BOOKMARKS, TOPIC, SlackAccess
from warroom.core.incident import EventKind
from warroom.service.chat.queue import chat_on, post_event, queue, quiet
from warroom.service.context import Context
from warroom.service.messages import render_or_fallback
from warroom.store.chat_queries import cancel_pending_archive
from warroom.store.models import Incident, TimelineEvent
from warroom.store.queries import timeline

COMMANDER = "incident_commander"


def react(
    session: Session, ctx: Context, incident: Incident, event: TimelineEvent, now: datetime
) -> None:
    """Reaction: what a change does in the war room; nothing when chat is off."""
    access = chat_on(ctx)
    if access is None or quiet(incident):
        return
    if event.kind == EventKind.DECLARED:
        open_war_room(session, ctx, access, incident, now)
        return
    post_event(session, ctx, incident, event, now)
    if event.kind == EventKind.ROLE_ASSIGNED:
        people = [event.data["person"]]
        queue(session, incident, f"invite:{event.seq}", "invite", now, payload={"people": people})
    if event.kind in (EventKind.ROLE_ASSIGNED, EventKind.SEVERITY_CHANGED):
        queue(session, incident, f"topic:{event.seq}", "topic", now, text=topic(ctx, incident))
    if event.kind == EventKind.RESOLVED and access.archive_after is not None:
        due = (incident.resolved_at or now) + access.archive_after
        queue(session, incident, f"archive:{event.seq}", "archive", now, due_at=due)
    if event.kind == EventKind.REOPENED:
        cancel_pending_archive(session, incident.id)


def open_war_room(
    session: Session, ctx: Context, access: SlackAccess, incident: Incident, now: datetime
) -> None:
    """Declaration: every step of opening the room, queued in the order Slack needs them."""
    initial = render_or_fallback(ctx, incident, timeline(session, incident.id), "initial")
    holders = list(dict.fromkeys(incident.roles.values()))
    queue(session, incident, "create", "create", now)
    queue(session, incident, "topic", "topic", now, text=topic(ctx, incident))
    queue(session, incident, "invite", "invite", now, payload={"people": holders})
    queue(session, incident, "initial", "initial", now, text=initial)
    queue(session, incident, "pin", "pin", now)
    links = war_room.links(
        ctx.playbook, incident.reference, incident.channel, ctx.settings.public_url
    )
    for name, title in BOOKMARKS.items():
        link = links.get(name)
        if link:
            text = title(reference=incident.reference)
            queue(
                session,
                incident,
                f"bookmark:{name}",
                "bookmark",
                now,
                text=text,
                payload={"link": link},
            )
    if access.announce_channel:
        # rendered when sent, once the channel's id (and name, if it was taken) is known
        payload = {"channel": access.announce_channel}
        queue(session, incident, "announce", "announce", now, payload=payload)


def topic(ctx: Context, incident: Incident) -> str:
    commander = incident.roles.get(COMMANDER)
    return TOPIC(
        severity=incident.severity,
        severity_name=ctx.playbook.severities[incident.severity].name,
        title=incident.title,
        commander=ctx.playbook.person_name(commander) if commander else "unassigned",
    )
