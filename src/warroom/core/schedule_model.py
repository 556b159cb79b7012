"""The playbook's `schedules` section: layers of rotations in a timezone, each optionally
restricted to weekdays and hours. Times are wall-clock in the schedule's timezone."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from pydantic import BaseModel, Field, field_validator

from warroom.core.playbook_base import STRICT, WEEKDAYS, Duration, Weekday

SCHEDULE_PREFIX = "schedule:"  # a role holder or level member that names a schedule
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


class Strict(BaseModel):
    model_config = STRICT


class Rotation(Strict):
    """People take turns, `length` each, the first from `start` (local wall-clock)."""

    length: Duration
    start: datetime
    people: list[str] = Field(min_length=1)

    @field_validator("length")
    @classmethod
    def _not_empty(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("a rotation needs a length above zero, such as 12h, 1d or 1w")
        return value

    @field_validator("start")
    @classmethod
    def _wall_clock(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError(
                "the start is a wall-clock time in the schedule's timezone, "
                'without an offset: "2024-01-01T09:00"'
            )
        return value


class Restrict(Strict):
    """When a layer has someone: spans that start on each of `weekdays` (every day when
    left out) at the first time of `hours` and end at its second, the next day when it is
    earlier ("18:00-09:00" covers the nights); the whole day when `hours` is left out."""

    weekdays: list[Weekday] = list(WEEKDAYS)
    hours: str | None = None

    @field_validator("hours")
    @classmethod
    def _span(cls, value: str | None) -> str | None:
        if value is not None:
            hours_span(value)
        return value

    def span(self) -> tuple[time, timedelta]:
        """Each span's local start and its length."""
        if self.hours is None:
            return time(0, 0), timedelta(days=1)
        return hours_span(self.hours)


def hours_span(text: str) -> tuple[time, timedelta]:
    """'18:00-09:00' -> (18:00, 15h): the start and how long until the end."""
    match = _HOURS.match(text.strip())
    if not match:
        raise ValueError(f'{text!r} is not a span of hours; write it like "18:00-09:00"')
    hour_a, minute_a, hour_b, minute_b = (int(part) for part in match.groups())
    if hour_a > 23 or hour_b > 24 or minute_a > 59 or minute_b > 59 or (hour_b == 24 and minute_b):
        raise ValueError(f"{text!r} names a time of day that does not exist")
    start, end = hour_a * 60 + minute_a, hour_b * 60 + minute_b
    if start == end:
        raise ValueError(f"{text!r} starts and ends at the same time; leave hours out for all day")
    minutes = end - start if end > start else end + 24 * 60 - start
    return time(hour_a, minute_a), timedelta(minutes=minutes)


class Layer(Strict):
    rotation: Rotation
    restrict: Restrict | None = None


class Schedule(Strict):
    timezone: str = "UTC"
    handoff_notice: Duration | None = None  # tell the incoming person this long before
    layers: list[Layer] = Field(min_length=1)


def schedule_id(holder: str | None) -> str | None:
    """The schedule a role holder or level member names (`schedule:<id>`), or None."""
    if holder is None or not holder.startswith(SCHEDULE_PREFIX):
        return None
    return holder.removeprefix(SCHEDULE_PREFIX)
