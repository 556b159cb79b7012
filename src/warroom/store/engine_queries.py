"""The escalation engine's reads and writes: performed steps, the incidents' locks, the
messages it cancels and the steps it marks failed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, select, update
from sqlalchemy.orm import Session

from warroom.store import write_behind
from warroom.store.engine_models import EscalationStep
from warroom.store.models import Incident, OutboxMessage, TimelineEvent

LOCKED = "warroom.locked_incidents"  # session.info key: incidents locked in this transaction
PREFETCHED = "warroom.prefetched_history"  # session.info key: histories loaded for a batch

History = tuple[list[Row[Any]], list[Row[Any]]]  # performed steps, planned-on events


def insert_steps(session: Session, rows: list[dict[str, Any]]) -> bool:
    """Insert performed steps unless their key is taken; False if one was. In a transaction
    that holds rows (a timer turn) they are held, guarded: a taken key raises `LostRace`
    when they are written (`write_behind`)."""
    added = [write_behind.insert(session, EscalationStep, row, guarded=True) for row in rows]
    return all(added)


def lock_incident(session: Session, incident_id: int) -> Incident:
    """The incident under a row lock, taken once per transaction (cached in session.info)."""
    locked: dict[int, Incident] = session.info.setdefault(LOCKED, {})
    if incident_id not in locked:
        statement = select(Incident).where(Incident.id == incident_id).with_for_update()
        locked[incident_id] = session.execute(statement).scalar_one()
    return locked[incident_id]


def lock_incidents(
    session: Session, incident_ids: Iterable[int], *, skip_locked: bool = False
) -> set[int]:
    """Lock several incidents at once, in id order (the one lock order every worker keeps),
    into the same per-transaction cache `lock_incident` reads; which of them this
    transaction holds. `skip_locked`: those another transaction holds are left out, not
    waited for (PostgreSQL; SQLite has one writer at a time)."""
    wanted = set(incident_ids)
    locked: dict[int, Incident] = session.info.setdefault(LOCKED, {})
    missing = sorted(wanted - set(locked))
    if missing:
        statement = (
            select(Incident)
            .where(Incident.id.in_(missing))
            .order_by(Incident.id)
            .with_for_update(skip_locked=skip_locked)
        )
        locked.update((row.id, row) for row in session.execute(statement).scalars())
    return wanted & set(locked)


def prefetch_histories(session: Session, incident_ids: Iterable[int], kinds: Iterable[str]) -> None:
    """Read the performed steps and the events of `kinds` of many incidents in two queries,
    for `history` to hand out once each (a batch of due timers plans them one by one)."""
    ids = sorted(set(incident_ids))
    if not ids:
        return
    histories: dict[int, History] = {incident_id: ([], []) for incident_id in ids}
    for step in session.execute(_steps(EscalationStep.incident_id.in_(ids))):
        histories[step.incident_id][0].append(step)
    for event in session.execute(_events(TimelineEvent.incident_id.in_(ids), kinds)):
        histories[event.incident_id][1].append(event)
    session.info[PREFETCHED] = histories


def history(session: Session, incident_id: int, kinds: Iterable[str]) -> History:
    """An incident's performed steps and events of `kinds` (rows of the columns the planner
    reads, not objects: a history is read at every wake-up and grows with the incident):
    prefetched ones the first time they are asked for, else read now."""
    prefetched: dict[int, History] = session.info.get(PREFETCHED, {})
    if incident_id in prefetched:
        return prefetched.pop(incident_id)
    steps = list(session.execute(_steps(EscalationStep.incident_id == incident_id)))
    events = list(session.execute(_events(TimelineEvent.incident_id == incident_id, kinds)))
    return steps, events


def _steps(which: ColumnElement[bool]) -> Select[Any]:
    step = EscalationStep
    columns: tuple[Any, ...] = (
        step.incident_id, step.key, step.action, step.kind, step.person, step.role, step.level,
        step.contact_index, step.performed_at, step.acknowledged_at, step.failed_at,
    )  # fmt: skip
    return select(*columns).where(which).order_by(step.id)


def _events(which: ColumnElement[bool], kinds: Iterable[str]) -> Select[Any]:
    event = TimelineEvent
    kinds_read = event.kind.in_([str(k) for k in kinds])
    columns = (event.incident_id, event.kind, event.at, event.data)
    return select(*columns).where(which, kinds_read).order_by(event.seq)


def cancel_pending_messages(session: Session, incident_id: int, prefix: str, reason: str) -> None:
    """The incident's undelivered messages whose key starts with `prefix` are cancelled."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.incident_id == incident_id,
            OutboxMessage.state == "pending",
            OutboxMessage.key.startswith(prefix),
        )
        .values(state="cancelled", last_error=reason)
    )


def mark_failed(session: Session, outbox_key: str, now: datetime) -> None:
    """The step that sent this message failed for good (once)."""
    session.execute(
        update(EscalationStep)
        .where(EscalationStep.outbox_key == outbox_key, EscalationStep.failed_at.is_(None))
        .values(failed_at=now)
    )
