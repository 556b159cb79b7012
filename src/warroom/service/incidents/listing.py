"""The incident list in pages: filters, a limit, and an opaque cursor that says where the
next page starts. Following the cursors from the first page reaches every incident
stored, once each, however many are declared meanwhile."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.clock import ensure_utc
from warroom.core import incident as rules
from warroom.errors import InvalidInput, WarroomError
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import snapshot
from warroom.service.schemas import IncidentOut
from warroom.store.incident_list import IncidentFilter, ListPosition, incidents_after

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
STATUSES = ("open", "resolved", "all")
ROW_ID_MAX = 2**63 - 1


@dataclass(frozen=True)
class IncidentPage:
    """One page of the list and, when more remain, the cursor of the next."""

    incidents: list[IncidentOut]
    next_cursor: str | None


def list_page(
    ctx: Context,
    session: Session,
    filters: IncidentFilter,
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> IncidentPage:
    """Incidents matching `filters`, newest first, `limit` of them from `cursor` on."""
    filters = checked(ctx, filters)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit is between 1 and {MAX_LIMIT}", "limit")
    after = None if cursor is None else decode_cursor(cursor)
    rows = incidents_after(session, filters, after, limit + 1)
    shown = rows[:limit]
    more = len(rows) > limit
    last = shown[-1] if shown else None
    next_cursor = encode_cursor(ListPosition(last.declared_at, last.id)) if more and last else None
    return IncidentPage([snapshot(ctx, incident) for incident in shown], next_cursor)


def checked(ctx: Context, filters: IncidentFilter) -> IncidentFilter:
    """The filters as the store takes them (times in UTC), or a refusal naming the field."""
    if filters.status not in STATUSES:
        raise InvalidInput("status is open, resolved or all", "status")
    if filters.severity is not None:
        rules.check_severity(ctx.playbook, filters.severity)
    rules.check_texts(rules.TITLE_MAX, service=filters.service, q=filters.text)
    since, until = _utc(filters.since, "since"), _utc(filters.until, "until")
    if since is not None and until is not None and until < since:
        raise InvalidInput("until is before since", "until")
    return replace(filters, since=since, until=until)


def _utc(moment: datetime | None, field: str) -> datetime | None:
    if moment is None:
        return None
    try:
        return ensure_utc(moment)
    except OverflowError:
        raise InvalidInput(f"{field} is out of range", field) from None


def encode_cursor(position: ListPosition) -> str:
    """Opaque to clients: the last row's sort key, base64url."""
    text = json.dumps([position.declared_at.isoformat(), position.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> ListPosition:
    """The position a cursor from `encode_cursor` holds; anything else is refused."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, row_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        declared_at = ensure_utc(datetime.fromisoformat(moment))
    except (ValueError, TypeError, OverflowError):
        raise _bad_cursor() from None
    if type(row_id) is not int or not 0 <= row_id <= ROW_ID_MAX:
        raise _bad_cursor()
    return ListPosition(declared_at, row_id)


def _bad_cursor() -> WarroomError:
    return WarroomError(
        "cursor is not one this server gave; start again from the first page", "cursor"
    )
