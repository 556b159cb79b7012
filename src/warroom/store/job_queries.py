"""Queries for durable scheduled work: the `timers` table."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from warroom.store.models import Timer


def cancel_pending_timers(
    session: Session, incident_id: int, kinds: Iterable[str] | None = None
) -> int:
    """Cancel an incident's pending timers (all, or of the given kinds); how many."""
    statement = update(Timer).where(Timer.incident_id == incident_id, Timer.state == "pending")
    if kinds is not None:
        statement = statement.where(Timer.kind.in_(list(kinds)))
    result = session.execute(statement.values(state="cancelled"))
    return int(result.rowcount)  # type: ignore[attr-defined]
