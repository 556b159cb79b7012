"""Business hours: when a held page may go out (the seed's Sev4 "standard business hours")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.core.playbook import WEEKDAYS, BusinessHours


def next_business_moment(moment: datetime, hours: BusinessHours) -> datetime:
    """`moment` itself when it falls within business hours, else the next opening time."""
    zone = ZoneInfo(hours.timezone)
    local = moment.astimezone(zone)
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        if WEEKDAYS[day.weekday()] not in hours.days:
            continue
        opens = datetime.combine(day, hours.start, tzinfo=zone)
        closes = datetime.combine(day, hours.end, tzinfo=zone)
        if local < opens:
            return opens.astimezone(UTC)
        if local < closes:
            return moment
    return moment  # no business days configured: never hold
