"""Chat-ops' tables: each incident's Slack channel, and the chat outbox of what is still
to be done there (created, posted, pinned, archived), worked through in order per incident.

A `chat_posts` row is written in the transaction of the change that causes it (unique
`key`: never queued twice) and claimed under a lease like the message outbox; a row waits
while an earlier row of its incident is pending, so an incident's channel reads in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.store.models import Base, JsonType, UTCDateTime


class ChatRoom(Base):
    """The incident's channel once Slack made it: `channel_id` is its `links.chat`."""

    __tablename__ = "chat_rooms"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(100))
    initial_ts: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatPost(Base):
    """One thing to do in Slack for an incident: `action` is create, topic, invite,
    initial, pin, bookmark, announce, post or archive; `state` pending, done, failed or
    skipped; `via` says what carried a post (slack, or teams when Slack failed)."""

    __tablename__ = "chat_posts"
    __table_args__ = (
        Index("ix_chat_posts_state_next", "state", "next_attempt_at"),
        Index("ix_chat_posts_incident_id", "incident_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    action: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    via: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
