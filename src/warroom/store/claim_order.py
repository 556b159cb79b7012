"""Claiming due rows (timers, outbox messages) in their claim index's order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, text
from sqlalchemy.orm import Session


def claim_in_index_order(session: Session, statement: Select[Any]) -> list[Any]:
    """The rows of a claim (`ORDER BY` the claim index's columns, `LIMIT`, `FOR UPDATE SKIP
    LOCKED`), read in index order and stopping at the limit.

    PostgreSQL's statistics seldom see pending rows, which are few and short-lived, so in a
    backlog it estimates a handful, then fetches and sorts every due row, bodies and all,
    for each claim. With sorting off for this one statement it reads the index in order.
    SQLite plans by the index without being told."""
    if session.get_bind().dialect.name != "postgresql":
        return list(session.execute(statement).scalars())
    session.execute(text("SET LOCAL enable_sort = off"))
    rows = list(session.execute(statement).scalars())
    session.execute(text("SET LOCAL enable_sort TO DEFAULT"))
    return rows
