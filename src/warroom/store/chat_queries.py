"""Chat-ops' queries: an incident's Slack channel, and claiming the chat outbox's rows
that are due and first in line for their incident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.orm import Session, aliased

from warroom.store.chat_models import ChatPost, ChatRoom
from warroom.store.models import Incident
from warroom.store.session import Database


def room_of(session: Session, incident_id: int) -> ChatRoom | None:
    return session.get(ChatRoom, incident_id)


def incident_of_channel(session: Session, channel_id: str) -> Incident | None:
    """The incident whose war room is this Slack channel (a slash command typed there)."""
    statement = (
        select(Incident)
        .join(ChatRoom, ChatRoom.incident_id == Incident.id)
        .where(ChatRoom.channel_id == channel_id)
    )
    return session.execute(statement).scalars().first()


def any_post_due(db: Database, now: datetime) -> bool:
    """Whether a chat row waits, read without a write turn (`Database.finds`)."""
    return db.finds(select(ChatPost.id).where(*_due(now)))


def claim_due_posts(session: Session, now: datetime, limit: int) -> list[ChatPost]:
    """Up to `limit` due rows, each the first pending one of its incident (a row waits
    for the earlier ones, whatever their retry time), locked; on PostgreSQL the rows
    another worker holds are skipped (SKIP LOCKED)."""
    earlier = aliased(ChatPost)
    first_in_line = ~exists().where(
        earlier.incident_id == ChatPost.incident_id,
        earlier.id < ChatPost.id,
        earlier.state == "pending",
    )
    statement = (
        select(ChatPost)
        .where(*_due(now), first_in_line)
        .order_by(ChatPost.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=ChatPost)
    )
    return list(session.execute(statement).scalars())


def posts_of(session: Session, incident_id: int) -> list[ChatPost]:
    statement = select(ChatPost).where(ChatPost.incident_id == incident_id).order_by(ChatPost.id)
    return list(session.execute(statement).scalars())


def cancel_pending_archive(session: Session, incident_id: int) -> None:
    """A reopened incident keeps its channel: an archive not yet done is called off."""
    session.execute(
        update(ChatPost)
        .where(
            ChatPost.incident_id == incident_id,
            ChatPost.action == "archive",
            ChatPost.state == "pending",
        )
        .values(state="skipped", last_error="reopened before the archive")
    )


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (ChatPost.state == "pending", ChatPost.next_attempt_at <= now)
