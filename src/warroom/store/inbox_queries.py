"""The intake inbox's reads and writes: the group commit's inserts, the applier's turn, the
payloads it takes and deletes, the backlog. Statements on the hot path are built once:
building a statement and its cache key anew on every commit shows up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    Row,
    Table,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from warroom.store.intake_models import AlertGroup, InboxPayload, Integration
from warroom.store.models import Incident
from warroom.store.session import Database

APPLY_LOCK_ID = 7_261_101  # PostgreSQL advisory lock: one applier at a time, groups in order
Inboxed = Row[Any]  # an intake_inbox row, read as plain columns (no ORM identity map)

_INBOX = InboxPayload.__table__
assert isinstance(_INBOX, Table)
_INBOX_INSERT = insert(InboxPayload)
_REVOKED = select(Integration.id).where(
    Integration.id.in_(bindparam("ids", expanding=True)), Integration.revoked_at.is_not(None)
)
_ANY_PAYLOAD = select(InboxPayload.id)
_APPLIER_LOCK = text(f"SELECT pg_advisory_xact_lock({APPLY_LOCK_ID})")
_SIZES = select(_INBOX.c.id, func.length(_INBOX.c.body)).order_by(_INBOX.c.id)


def revoked_among(connection: Connection, integration_ids: list[int]) -> set[int]:
    """Which of these integrations were revoked (in any process)."""
    return set(connection.execute(_REVOKED, {"ids": integration_ids}).scalars())


def insert_payloads(connection: Connection, rows: list[dict[str, Any]]) -> None:
    connection.execute(_INBOX_INSERT, rows)


def inbox_has_payloads(db: Database) -> bool:
    """Whether a payload waits, read without a write turn (`Database.finds`)."""
    return db.finds(_ANY_PAYLOAD)


def take_applier_turn(db: Database, session: Session) -> None:
    """One applier at a time until the transaction ends: an advisory lock on PostgreSQL;
    on SQLite the single writer already is one."""
    if not db.is_sqlite:
        session.execute(_APPLIER_LOCK)


def oldest_sizes(
    session: Session, limit: int, *, without_open_incident: bool = False
) -> Sequence[Row[int, int]]:
    """(id, body length) of the oldest payloads, oldest first; or of those whose group has
    no open incident."""
    statement = _SIZES.where(~_has_open_incident()) if without_open_incident else _SIZES
    return session.execute(statement.limit(limit)).all()


def payloads(db: Database, session: Session, ids: list[int]) -> list[Inboxed]:
    """These payloads, oldest first."""
    statement = select(_INBOX).where(_among(db, _INBOX.c.id, ids)).order_by(_INBOX.c.id)
    return list(session.execute(statement))


def delete_payloads(db: Database, session: Session, ids: list[int]) -> None:
    statement = delete(InboxPayload).where(_among(db, _INBOX.c.id, ids))
    session.execute(statement.execution_options(synchronize_session=False))


def inbox_backlog(session: Session) -> tuple[int, datetime | None]:
    """How many payloads wait, and when the oldest of them was received."""
    statement = select(func.count(), func.min(InboxPayload.received_at))
    count, oldest = session.execute(statement).one()
    return int(count), oldest


def _among(db: Database, column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
    """`column IN (ids)`; on PostgreSQL `= ANY` of one array parameter, one statement text
    whatever the count, so psycopg's cache of converted statements keeps hitting."""
    if db.is_sqlite:
        return column.in_(ids)
    return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))


def _has_open_incident() -> ColumnElement[bool]:
    groups, open_incidents = AlertGroup.__table__, Incident.__table__
    return exists().where(
        groups.c.integration_id == _INBOX.c.integration_id,
        groups.c.group_hash == _INBOX.c.group_hash,
        open_incidents.c.id == groups.c.incident_id,
        open_incidents.c.resolved_at.is_(None),
    )
