"""The incident list: filters and keyset pages, newest first. A page starts after the last
row of the one before (its declaration time and id), never at an offset, so it costs the
same deep in the history as at its top, and declarations made while someone pages through
neither repeat nor hide a row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from warroom.store.models import Incident

LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents: by status (open, resolved or all), severity, a service among the
    incident's, text in its title, summary or reference, and declaration time (`since`
    inclusive, `until` exclusive)."""

    status: str = "open"
    severity: int | None = None
    service: str | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ListPosition:
    """Where a page ended: the last row's declaration time and id (the sort key)."""

    declared_at: datetime
    id: int


def incidents_after(
    session: Session, filters: IncidentFilter, after: ListPosition | None, limit: int
) -> list[Incident]:
    """Up to `limit` incidents matching `filters`, newest first, from just after `after`."""
    return list(session.execute(page_statement(session, filters, after, limit)).scalars())


def page_statement(
    session: Session, filters: IncidentFilter, after: ListPosition | None, limit: int
) -> Select[Incident]:
    """The statement of one page: the list's sort key, and where the page before ended."""
    statement = filtered(session, filters).order_by(Incident.declared_at.desc(), Incident.id.desc())
    if after is not None:
        position = (after.declared_at, after.id)
        statement = statement.where(tuple_(Incident.declared_at, Incident.id) < position)
    return statement.limit(limit)


def filtered(session: Session, filters: IncidentFilter) -> Select[Incident]:
    """The incidents `filters` selects, in no order."""
    statement = select(Incident)
    if filters.status == "open":
        statement = statement.where(Incident.status != "resolved")
    elif filters.status == "resolved":
        statement = statement.where(Incident.status == "resolved")
    if filters.severity is not None:
        statement = statement.where(Incident.severity == filters.severity)
    if filters.service:
        statement = statement.where(_has_service(session, filters.service))
    if filters.text:
        statement = statement.where(_mentions(filters.text))
    if filters.since is not None:
        statement = statement.where(Incident.declared_at >= filters.since)
    if filters.until is not None:
        statement = statement.where(Incident.declared_at < filters.until)
    return statement


def _has_service(session: Session, service: str) -> ColumnElement[bool]:
    """The incident's services (a JSON list) hold `service`: JSONB containment on
    PostgreSQL, a search of json_each's values on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(Incident.services, JSONB).contains([service])
    values = func.json_each(Incident.services).table_valued("value")
    return exists(select(literal(1)).select_from(values).where(values.c.value == service))


def _mentions(text: str) -> ColumnElement[bool]:
    """Case-insensitive substring of the title, summary or reference; `%` and `_` in the
    text are themselves, not wildcards."""
    pattern = f"%{like_escaped(text)}%"
    columns = (Incident.title, Incident.summary, Incident.reference)
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))


def like_escaped(text: str) -> str:
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return text
