"""When the improvement loop comes round, with no I/O: the monthly review on the 1st for
the previous month, the quarterly DR test and tabletop exercise on the first day of each
quarter, and the playbook's own review date; all in the playbook's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

REMINDER_TIME = time(9, 0)  # a reminder to a person arrives at the start of a working day


def next_monthly_review(now: datetime, timezone: str) -> tuple[datetime, str]:
    """When the next review is made (midnight starting the 1st) and the month it covers."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    first = _add_months(local.date().replace(day=1), 1)
    covered = _add_months(first, -1)
    return _at(first, time(0, 0), zone), f"{covered:%Y-%m}"


def next_quarter_start(now: datetime, timezone: str) -> tuple[datetime, str]:
    """The next first day of a quarter at the reminder time, and the quarter's name."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = local.date().replace(month=(local.month - 1) // 3 * 3 + 1, day=1)
    moment = _at(start, REMINDER_TIME, zone)
    if moment <= now:
        start = _add_months(start, 3)
        moment = _at(start, REMINDER_TIME, zone)
    return moment, f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def review_reminder_at(next_review: date, timezone: str) -> datetime:
    """When the playbook's own review is due: that morning, in its timezone."""
    return _at(next_review, REMINDER_TIME, ZoneInfo(timezone))


def previous_month(now: datetime, timezone: str) -> str:
    local = now.astimezone(ZoneInfo(timezone)).date().replace(day=1)
    return f"{_add_months(local, -1):%Y-%m}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
