"""Queries that need more than the ORM's defaults."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from warroom.errors import NotFound
from warroom.store.models import Incident, ReferenceSequence, TimelineEvent


def next_reference_number(session: Session, day: str) -> int:
    """Atomically take the next number for `day`; concurrent declarations never share one."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = (
        insert(ReferenceSequence)
        .values(day=day, last=1)
        .on_conflict_do_update(
            index_elements=[ReferenceSequence.day], set_={"last": ReferenceSequence.last + 1}
        )
        .returning(ReferenceSequence.last)
    )
    return int(session.execute(statement).scalar_one())


def incident_by_reference(session: Session, reference: str, *, lock: bool = False) -> Incident:
    statement = select(Incident).where(Incident.reference == reference)
    if lock:
        statement = statement.with_for_update()
    incident = session.execute(statement).scalar_one_or_none()
    if incident is None:
        raise NotFound(f"no incident {reference!r}", "reference")
    return incident


def reference_of(session: Session, incident_id: int) -> str | None:
    statement = select(Incident.reference).where(Incident.id == incident_id)
    return session.execute(statement).scalar_one_or_none()


def open_and_declared_by_severity(session: Session) -> dict[int, tuple[int, int]]:
    """Per severity, how many real incidents are open and how many were ever declared
    (drills left out)."""
    is_open = func.sum((Incident.status != "resolved").cast(Incident.severity.type))
    statement = (
        select(Incident.severity, is_open, func.count())
        .where(Incident.drill.is_(False))
        .group_by(Incident.severity)
    )
    return {sev: (int(o or 0), int(t)) for sev, o, t in session.execute(statement)}


def timeline(session: Session, incident_id: int) -> list[TimelineEvent]:
    statement = (
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident_id)
        .order_by(TimelineEvent.seq)
    )
    return list(session.execute(statement).scalars())


def insert_if_absent(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on the model's unique key; True if a row was added."""
    return insert_absent_rows(session, model.__table__, [values]) == 1


def insert_absent_rows(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    revive_cancelled_on: tuple[str, ...] | None = None,
) -> int:
    """Insert `rows` (one shape) in one statement, skipping rows whose unique key is taken;
    how many were added. `revive_cancelled_on` (the unique key's columns): a taken row that
    is cancelled is pending again instead, at the new row's severity, and counts as added."""
    dialect = session.get_bind().dialect.name
    returning = _absent_rows_insert(table, dialect, revive_cancelled_on)
    return len(session.execute(returning, rows).all())


@cache
def _absent_rows_insert(table: Table, dialect: str, revive_on: tuple[str, ...] | None) -> Any:
    """Built once per table and kind: building it (`excluded` is an alias of the table)
    cost more than executing a small batch. A Core insert with the rows as parameters:
    compiled once and cached, and many rows sent as one multi-row INSERT (insertmanyvalues)."""
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    statement = insert(table)
    if revive_on is None:
        statement = statement.on_conflict_do_nothing()
    else:
        statement = statement.on_conflict_do_update(
            index_elements=list(revive_on),
            set_={"state": "pending", "severity": statement.excluded.severity},
            where=table.c.state == "cancelled",
        )
    return statement.returning(*table.primary_key.columns)
