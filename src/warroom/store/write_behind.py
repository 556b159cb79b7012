"""Rows written behind: a timer turn's performed steps, queued messages and wake-up timers,
held for the rest of its transaction and written together, one multi-row INSERT per table
(SQLAlchemy's insertmanyvalues), where one statement a row kept the lane waiting on round
trips to the database.

Only a transaction that asked for it (`hold_rows`) holds rows; anywhere else `insert`
writes at once. Held rows are written before the session's next statement of any kind, so
every read in the transaction sees them (as SQLAlchemy's autoflush does for objects), and
before commit; a caller that ends a savepoint writes them first (`write`).

A guarded row (a performed step) is at most once: when it is written and its key proves
taken, `LostRace` is raised and the transaction must roll back, since what was done on the
strength of it (its message, its timeline events) must not commit. Under the incident's
row lock, which the timer lane holds, that happens only if another worker performed the
step first; the scheduler's careful turn then re-reads and re-plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Table, UniqueConstraint, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from warroom.store.queries import insert_absent_rows

HELD = "warroom.write_behind"  # session.info key: the rows held in this transaction


class LostRace(RuntimeError):
    """A guarded row's key was taken when it was written: roll the transaction back."""


@dataclass
class _Rows:
    table: Table
    guarded: bool
    revive_cancelled: bool
    by_key: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    repeated: int = 0


def install(sessions: sessionmaker[Session]) -> None:
    """Write held rows before every statement and before commit, in sessions of `sessions`."""
    event.listen(sessions, "do_orm_execute", _before_statement)
    event.listen(sessions, "before_commit", write)


def hold_rows(session: Session) -> None:
    """From now until the transaction ends, `insert` holds rows rather than writing each."""
    session.info.setdefault(HELD, {})


def insert(
    session: Session,
    model: type[Any],
    row: dict[str, Any],
    *,
    held: bool = True,
    guarded: bool = False,
    revive_cancelled: bool = False,
) -> bool:
    """Insert `row` unless its unique key is taken; `revive_cancelled`: a cancelled row with
    that key is pending again instead. Written at once (when the transaction holds no rows,
    or not `held`): True if a row was added or revived. Held: True, and a guarded row whose
    key proves taken raises `LostRace` when written."""
    table: Table = model.__table__
    held_rows: dict[tuple[str, bool, bool], _Rows] | None = session.info.get(HELD)
    if held_rows is None or not held:
        return _write(session, table, [row], revive_cancelled) == 1
    group = (table.name, guarded, revive_cancelled)
    rows = held_rows.setdefault(group, _Rows(table, guarded, revive_cancelled))
    key = tuple(row[name] for name in _unique_columns(table))
    if key in rows.by_key:
        rows.repeated += 1  # one statement may not touch a row twice; a repeat is a no-op
    else:
        rows.by_key[key] = row
    return True


def write(session: Session) -> None:
    """Write the rows held in this session, one statement per table."""
    held: dict[tuple[str, bool, bool], _Rows] | None = session.info.get(HELD)
    if not held:
        return
    batches = list(held.values())
    held.clear()  # before writing: the statements below pass through `_before_statement`
    for rows in batches:
        added = _write(session, rows.table, list(rows.by_key.values()), rows.revive_cancelled)
        if rows.guarded and (rows.repeated or added < len(rows.by_key)):
            taken = rows.repeated + len(rows.by_key) - added
            raise LostRace(f"{taken} {rows.table.name} row(s) already written by another")


def drop(session: Session) -> None:
    """Forget the held rows (their savepoint rolled back)."""
    held: dict[tuple[str, bool, bool], _Rows] | None = session.info.get(HELD)
    if held:
        held.clear()


def _before_statement(state: ORMExecuteState) -> None:
    write(state.session)


@cache
def _unique_columns(table: Table) -> tuple[str, ...]:
    """The one unique key rows are told apart by (a unique column or constraint)."""
    keys = [tuple(c.columns.keys()) for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [(column.name,) for column in table.columns if column.unique]
    if len(set(keys)) != 1:
        raise LookupError(f"{table.name} has no single unique key to write behind on")
    return keys[0]


def _write(session: Session, table: Table, rows: list[dict[str, Any]], revive: bool) -> int:
    revive_on = _unique_columns(table) if revive else None
    return insert_absent_rows(session, table, rows, revive_cancelled_on=revive_on)
