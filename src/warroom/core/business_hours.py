"""Business time: the clock of a `business_hours_only` severity (the seed's Sev4 "4 hours
(business hours)"), counted in the playbook's timezone, less its holidays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.core.playbook import WEEKDAYS, BusinessHours, Playbook

MAX_DAYS = 3660  # bounds every walk over the calendar; nothing of an incident lasts longer


def _openings(hours: BusinessHours, start: date) -> Iterator[tuple[datetime, datetime]]:
    """Each business day's opening and closing, in UTC, from `start` on (bounded)."""
    zone = ZoneInfo(hours.timezone)
    holidays = set(hours.holidays)
    for offset in range(MAX_DAYS):
        day = start + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in hours.days or day in holidays:
            continue
        opens = datetime.combine(day, hours.start, tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(day, hours.end, tzinfo=zone).astimezone(UTC)
        if closes > opens:
            yield opens, closes


def _local_day(moment: datetime, hours: BusinessHours) -> date:
    return moment.astimezone(ZoneInfo(hours.timezone)).date()


def next_business_moment(moment: datetime, hours: BusinessHours) -> datetime:
    """`moment` itself when it falls within business hours, else the next opening time."""
    for opens, closes in _openings(hours, _local_day(moment, hours)):
        if moment < opens:
            return opens
        if moment < closes:
            return moment
    return moment  # no business days configured: never hold


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours) -> datetime:
    """The moment `duration` of business time has passed since `start`."""
    left = duration
    for opens, closes in _openings(hours, _local_day(start, hours)):
        begin = max(opens, start)
        if begin >= closes:
            continue
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    return start + duration  # no business days configured: wall time


def business_time_between(start: datetime, end: datetime, hours: BusinessHours) -> timedelta:
    """How much business time lies between `start` and `end` (zero when end <= start)."""
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in _openings(hours, _local_day(start, hours)):
        if opens >= end:
            break
        overlap = min(closes, end) - max(opens, start)
        total += max(overlap, timedelta(0))
    return total


@dataclass(frozen=True)
class SeverityClock:
    """The clock an incident's deadlines run on: wall time, or business time when the
    severity is `business_hours_only`."""

    hours: BusinessHours | None = None

    def after(self, start: datetime, duration: timedelta) -> datetime:
        if self.hours is None:
            return start + duration
        return add_business_time(start, duration, self.hours)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        if self.hours is None:
            return end - start
        return business_time_between(start, end, self.hours)


def clock_for(playbook: Playbook, severity: int) -> SeverityClock:
    business = playbook.severities[severity].business_hours_only
    return SeverityClock(playbook.business_hours if business else None)
