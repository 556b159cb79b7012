"""Queries for durable scheduled work: the `timers` table, and the severity pending work
(timers and outbox messages) is claimed by."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from warroom.store.claim_order import claim_in_index_order
from warroom.store.models import NO_SEVERITY, Incident, OutboxMessage, Timer
from warroom.store.session import Database


def any_timer_due(db: Database, now: datetime) -> bool:
    """Whether a timer is due, read without a write turn (`Database.finds`)."""
    return db.finds(select(Timer.id).where(*_due(now)))


def claim_due_timers(session: Session, now: datetime, limit: int) -> list[Timer]:
    """Up to `limit` due timers, locked: in a backlog the higher severities' first, then the
    longest due; on PostgreSQL those another worker has claimed are skipped (SKIP LOCKED).
    A timer of no incident (the review calendar's) comes after every incident's."""
    statement = (
        select(Timer)
        .where(*_due(now))
        .order_by(Timer.severity, Timer.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Timer)
    )
    return claim_in_index_order(session, statement)


def severity_for(session: Session, incident_id: int | None) -> int:
    """The severity new work of this incident is claimed by (its incident is most often in
    the session already)."""
    incident = None if incident_id is None else session.get(Incident, incident_id)
    return NO_SEVERITY if incident is None else incident.severity


def follow_severity(session: Session, incident_id: int, severity: int) -> None:
    """An incident's pending timers and messages are claimed by its new severity."""
    for model in (Timer, OutboxMessage):
        session.execute(
            update(model)
            .where(model.incident_id == incident_id, model.state == "pending")
            .values(severity=severity)
        )


def cancel_pending_timers(
    session: Session, incident_id: int, kinds: Iterable[str] | None = None
) -> int:
    """Cancel an incident's pending timers (all, or of the given kinds); how many."""
    statement = update(Timer).where(Timer.incident_id == incident_id, Timer.state == "pending")
    if kinds is not None:
        statement = statement.where(Timer.kind.in_(list(kinds)))
    result = session.execute(statement.values(state="cancelled"))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Timer.state == "pending", Timer.due_at <= now)
