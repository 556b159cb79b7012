"""Incident rules with no I/O: references, channel names, status moves, event times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from warroom.clock import ensure_utc
from warroom.core.playbook import Playbook
from warroom.errors import Conflict, InvalidInput

STATUSES = ("investigating", "mitigating", "monitoring", "resolved")
OPEN_STATUSES = STATUSES[:-1]
CLOCK_SKEW = timedelta(minutes=5)  # a client's clock may run a little ahead of ours
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
TITLE_MAX = 500
TEXT_MAX = 10_000
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL text refuses NUL; UTF-8 surrogates


class EventKind(StrEnum):
    DECLARED = "declared"
    SEVERITY_CHANGED = "severity_changed"
    ROLE_ASSIGNED = "role_assigned"
    SME_ENGAGED = "sme_engaged"
    ACKNOWLEDGED = "acknowledged"
    STATUS_CHANGED = "status_changed"
    UPDATE_POSTED = "update_posted"
    RESOLUTION_ATTEMPT = "resolution_attempt"
    IMPACT_ASSESSED = "impact_assessed"
    PAGE_SENT = "page_sent"
    PAGE_FAILED = "page_failed"
    PAGE_ACKNOWLEDGED = "page_acknowledged"
    ESCALATED = "escalated"
    SLA_BREACHED = "sla_breached"
    ALERT_ATTACHED = "alert_attached"
    ALERTS_MOVED = "alerts_moved"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    PUBLISHED = "published"


def reference_for(day: date, sequence: int) -> str:
    """`YYYY-MM-DD-NNN`: the UTC day of declaration and that day's running number."""
    return f"{day:%Y-%m-%d}-{sequence:03d}"


def channel_for(pattern: str, day: date, sequence: int) -> str:
    return pattern.format(date=f"{day:%Y-%m-%d}", seq=sequence)


def check_severity(playbook: Playbook, severity: int, field: str = "severity") -> int:
    if severity not in playbook.severities:
        known = ", ".join(str(n) for n in sorted(playbook.severities))
        raise InvalidInput(f"severity {severity} is not in the playbook (known: {known})", field)
    return severity


def check_status_move(current: str, target: str, note: str | None) -> None:
    """Forward moves are free; a step back needs a note; resolving has its own action."""
    if target not in STATUSES:
        raise InvalidInput(f"unknown status {target!r}; use one of {', '.join(STATUSES)}", "status")
    if current == "resolved":
        raise Conflict("the incident is resolved; reopen it with a reason first", "status")
    if target == "resolved":
        raise Conflict("resolve the incident with its resolution (the resolve action)", "status")
    if target == current:
        raise Conflict(f"the incident is already {current}", "status")
    if STATUSES.index(target) < STATUSES.index(current) and not (note and note.strip()):
        raise InvalidInput(f"moving back from {current} to {target} needs a note", "note")


def check_open(status: str) -> None:
    if status == "resolved":
        raise Conflict("the incident is resolved; reopen it with a reason first", "reference")


def event_time(at: datetime | None, now: datetime, previous: datetime | None) -> datetime:
    """The time an action is recorded at: now, or a past `at` for retrospective entry."""
    moment = now if at is None else check_moment(at, now)
    if previous is not None and moment < previous:
        if at is None:
            return previous
        raise InvalidInput(
            f"at {moment.isoformat()} is before the incident's previous event "
            f"({previous.isoformat()})",
            "at",
        )
    return moment


def check_moment(at: datetime, now: datetime, field: str = "at") -> datetime:
    """A time given for an event: from 1970-01-01 to a few minutes past `now`, in UTC."""
    moment = in_calendar(at, field)
    if moment < EARLIEST:
        raise InvalidInput(f"{field} is before {EARLIEST:%Y-%m-%d}", field)
    if moment > now + CLOCK_SKEW:
        raise InvalidInput(f"{field} is in the future; it records past events only", field)
    return moment


def in_calendar(moment: datetime, field: str) -> datetime:
    """`moment` in UTC, refused when its offset takes it past year 1 or 9999."""
    try:
        return ensure_utc(moment)
    except OverflowError:
        raise InvalidInput(f"{field} is outside the calendar", field) from None


def require_text(value: str | None, field: str, limit: int = TEXT_MAX) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{field} must not be empty", field)
    check_texts(limit, **{field: cleaned})
    return cleaned


def require_public_title(value: str | None) -> str:
    """A public title is one line that every public document can carry as it is (control
    characters are not allowed in XML, so not in the Atom feed)."""
    title = require_text(value, "public_title")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in title):
        raise InvalidInput(
            "public_title must be one line without control characters", "public_title"
        )
    return title


def check_texts(limit: int = TEXT_MAX, **texts: str | None) -> None:
    """Every text a person types is bounded: the timeline keeps it for good."""
    for field, value in texts.items():
        if value is None:
            continue
        if len(value) > limit:
            raise InvalidInput(f"{field} is {len(value)} characters; at most {limit}", field)
        if UNSTORABLE.search(value):
            raise InvalidInput(f"{field} holds a NUL or a lone surrogate; remove it", field)
