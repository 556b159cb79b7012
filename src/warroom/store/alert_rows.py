"""Inserting an incident's alert rows in bulk, skipping those it has: one statement per
payload, written for each database."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Insert,
    String,
    Table,
    Text,
    bindparam,
    column,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from warroom.store.intake_models import AlertRow
from warroom.store.models import UTCDateTime
from warroom.store.session import Database, json_text

SQLITE_PAGE = 500  # alert rows per statement: 13 variables each, far below SQLite's 32,766


ALERT_COLUMNS = (
    "incident_id", "group_id", "source", "fingerprint", "alert_key", "status", "title",
    "labels", "annotations", "starts_at", "ends_at", "received_at", "details",
)  # fmt: skip


def insert_new(db: Database, session: Session, rows: list[tuple[Any, ...]]) -> set[str]:
    """Insert the alert rows (values in ALERT_COLUMNS order) whose key the incident does not
    have yet; the keys inserted.
    On PostgreSQL the rows travel as one JSON array of arrays, unpacked in SQL: one short
    statement however many rows, where a multi-row VALUES list made psycopg parse the
    statement's text again on every call, too long for its cache."""
    if db.is_sqlite:
        return _insert_new_sqlite(session.connection(), rows)
    statement = _postgresql_insert()
    return set(session.execute(statement, {"rows": json_text(rows)}).scalars().all())


@lru_cache(maxsize=1)
def _postgresql_insert() -> Insert:
    """INSERT ... SELECT from `jsonb_array_elements` of the rows, each value taken by its
    position: JSON columns as they are, text as text (the column checks its length), the
    rest cast to the column's type."""
    table = AlertRow.__table__
    assert isinstance(table, Table)
    given = (
        func.jsonb_array_elements(bindparam("rows", type_=Text).cast(JSONB))
        .table_valued(column("value", JSONB))
        .render_derived(name="given")
    )
    values = []
    for position, name in enumerate(ALERT_COLUMNS):
        value, column_type = given.c.value[literal_column(str(position))], table.c[name].type
        if isinstance(column_type, JSON):
            values.append(value)
        elif isinstance(column_type, String):
            values.append(value.astext)
        else:
            values.append(value.astext.cast(column_type))
    return (
        pg_insert(table)
        .from_select(ALERT_COLUMNS, select(*values))
        .on_conflict_do_nothing(index_elements=["incident_id", "alert_key"])
        .returning(table.c.alert_key)
    )


def _insert_new_sqlite(connection: Connection, rows: list[tuple[Any, ...]]) -> set[str]:
    """SQLite: a multi-row VALUES statement per SQLITE_PAGE rows, handed to the driver with
    the values that need it converted by their columns' own types. SQLAlchemy's own path
    builds and processes a parameter set per row, which cost about as much as SQLite's
    insert itself."""
    converting = _bind_processors(connection.dialect)
    inserted: set[str] = set()
    for start in range(0, len(rows), SQLITE_PAGE):
        page = rows[start : start + SQLITE_PAGE]
        values: list[Any] = []
        for row in page:
            ready = list(row)
            for position, process in converting:
                if (value := ready[position]) is not None:
                    ready[position] = process(value)
            values += ready
        statement = _sqlite_insert_text(len(page))
        inserted.update(connection.exec_driver_sql(statement, tuple(values)).scalars().all())
    return inserted


@lru_cache(maxsize=8)
def _bind_processors(dialect: Dialect) -> tuple[tuple[int, Any], ...]:
    """(position in ALERT_COLUMNS, conversion) for each column this database converts, as
    SQLAlchemy itself would convert it. Timestamps' conversions are remembered: a payload's
    rows share their received_at, and mostly their start. JSON goes straight to the
    engine's serializer: the values are never None, so the checks SQLAlchemy wraps it in
    for None and null have nothing to do."""
    columns = AlertRow.__table__.c
    serialize = getattr(dialect, "_json_serializer", None)
    converting = []
    for position, name in enumerate(ALERT_COLUMNS):
        column_type = columns[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        if isinstance(column_type, UTCDateTime):
            process = lru_cache(maxsize=4096)(process)
        elif isinstance(column_type, JSON) and serialize is not None:
            process = serialize
        converting.append((position, process))
    return tuple(converting)


@lru_cache(maxsize=SQLITE_PAGE)
def _sqlite_insert_text(count: int) -> str:
    row = "(" + ", ".join("?" for _ in ALERT_COLUMNS) + ")"
    return (
        f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) VALUES {', '.join([row] * count)} "
        "ON CONFLICT (incident_id, alert_key) DO NOTHING RETURNING alert_key"
    )
