"""The outbox's delivery queries: whether a message is due, and claiming the due ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from warroom.store.claim_order import claim_in_index_order
from warroom.store.models import OutboxMessage
from warroom.store.session import Database


def any_message_due(db: Database, now: datetime) -> bool:
    """Whether a message waits to be sent, read without a write turn (`Database.finds`)."""
    return db.finds(select(OutboxMessage.id).where(*_due(now)))


def claim_due_messages(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Up to `limit` due messages, locked: in a backlog the higher severities first, then
    the longest due; on PostgreSQL those another worker has claimed are skipped (SKIP
    LOCKED). A message of no incident (a report's) comes after every incident's."""
    statement = (
        select(OutboxMessage)
        .where(*_due(now))
        .order_by(OutboxMessage.severity, OutboxMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    return claim_in_index_order(session, statement)


def lock_messages(session: Session, ids: list[int]) -> list[OutboxMessage]:
    """The messages with these ids, locked, in id order."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.id)
        .with_for_update()
    )
    return list(session.execute(statement).scalars())


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
