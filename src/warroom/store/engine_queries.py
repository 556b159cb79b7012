"""The escalation engine's reads and writes: performed steps, the incident's lock, the
timers and messages it revives, cancels or marks failed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from warroom.store.engine_models import EscalationStep
from warroom.store.models import Incident, OutboxMessage, TimelineEvent, Timer

LOCKED = "warroom.locked_incidents"  # session.info key: incidents locked in this transaction
PREFETCHED = "warroom.prefetched_history"  # session.info key: histories loaded for a batch

History = tuple[list[EscalationStep], list[TimelineEvent]]


def insert_steps(session: Session, rows: list[dict[str, Any]]) -> bool:
    """Insert performed steps unless their key is taken (Core insert: the hot path)."""
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    table = EscalationStep.__table__
    assert isinstance(table, Table)
    statement = insert(table).on_conflict_do_nothing().returning(table.c.id)
    return all([session.execute(statement, row).first() is not None for row in rows])


def lock_incident(session: Session, incident_id: int) -> Incident:
    """The incident under a row lock, taken once per transaction (cached in session.info)."""
    locked: dict[int, Incident] = session.info.setdefault(LOCKED, {})
    if incident_id not in locked:
        statement = select(Incident).where(Incident.id == incident_id).with_for_update()
        locked[incident_id] = session.execute(statement).scalar_one()
    return locked[incident_id]


def lock_incidents(session: Session, incident_ids: Iterable[int]) -> None:
    """Lock several incidents at once, in id order (the one lock order every worker keeps),
    into the same per-transaction cache `lock_incident` reads."""
    locked: dict[int, Incident] = session.info.setdefault(LOCKED, {})
    missing = sorted(set(incident_ids) - set(locked))
    if not missing:
        return
    statement = (
        select(Incident).where(Incident.id.in_(missing)).order_by(Incident.id).with_for_update()
    )
    locked.update((row.id, row) for row in session.execute(statement).scalars())


def prefetch_histories(session: Session, incident_ids: Iterable[int], kinds: Iterable[str]) -> None:
    """Load the performed steps and the events of `kinds` of many incidents in two queries,
    for `history` to hand out once each (a batch of due timers plans them one by one)."""
    ids = sorted(set(incident_ids))
    if not ids:
        return
    histories: dict[int, History] = {incident_id: ([], []) for incident_id in ids}
    steps = select(EscalationStep).where(EscalationStep.incident_id.in_(ids))
    for step in session.execute(steps.order_by(EscalationStep.id)).scalars():
        histories[step.incident_id][0].append(step)
    events = select(TimelineEvent).where(
        TimelineEvent.incident_id.in_(ids), TimelineEvent.kind.in_([str(k) for k in kinds])
    )
    for event in session.execute(events.order_by(TimelineEvent.seq)).scalars():
        histories[event.incident_id][1].append(event)
    session.info[PREFETCHED] = histories


def history(session: Session, incident_id: int, kinds: Iterable[str]) -> History:
    """An incident's performed steps and events of `kinds`: prefetched ones the first time
    they are asked for (the rows cannot have changed: the incident is locked), else read."""
    prefetched: dict[int, History] = session.info.get(PREFETCHED, {})
    if incident_id in prefetched:
        return prefetched.pop(incident_id)
    return steps_of(session, incident_id), events_of(session, incident_id, kinds)


def steps_of(session: Session, incident_id: int) -> list[EscalationStep]:
    statement = select(EscalationStep).where(EscalationStep.incident_id == incident_id)
    return list(session.execute(statement.order_by(EscalationStep.id)).scalars())


def events_of(session: Session, incident_id: int, kinds: Iterable[str]) -> list[TimelineEvent]:
    statement = select(TimelineEvent).where(
        TimelineEvent.incident_id == incident_id, TimelineEvent.kind.in_([str(k) for k in kinds])
    )
    return list(session.execute(statement.order_by(TimelineEvent.seq)).scalars())


def revive_timer(session: Session, key: str) -> None:
    """A cancelled timer with this key is pending again."""
    session.execute(
        update(Timer).where(Timer.key == key, Timer.state == "cancelled").values(state="pending")
    )


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
