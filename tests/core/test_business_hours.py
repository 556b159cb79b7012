"""Business time, the clock of a `business_hours_only` severity: the properties every
deadline relies on, and the seed's Sev4 read on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from warroom.core.business_hours import (
    add_business_time,
    business_time_between,
    next_business_moment,
)
from warroom.core.playbook import BusinessHours

UTC_HOURS = BusinessHours()
NEW_YORK = BusinessHours(timezone="America/New_York", holidays=[date(2024, 12, 25)])
FRIDAY_1800 = datetime(2024, 1, 19, 18, 0, tzinfo=UTC)

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))


def test_four_business_hours_from_friday_evening_end_monday_at_1300() -> None:
    assert add_business_time(FRIDAY_1800, timedelta(hours=4), UTC_HOURS) == datetime(
        2024, 1, 22, 13, 0, tzinfo=UTC
    )


def test_a_weekend_holds_no_business_time() -> None:
    monday_0905 = datetime(2024, 1, 22, 9, 5, tzinfo=UTC)
    assert business_time_between(FRIDAY_1800, monday_0905, UTC_HOURS) == timedelta(minutes=5)


def test_a_holiday_has_no_business_hours() -> None:
    christmas_eve_1630 = datetime(2024, 12, 24, 21, 30, tzinfo=UTC)  # Tuesday 16:30 EST
    boxing_day_0930 = datetime(2024, 12, 26, 14, 30, tzinfo=UTC)  # Thursday 09:30 EST
    assert add_business_time(christmas_eve_1630, timedelta(hours=1), NEW_YORK) == (boxing_day_0930)


def test_business_hours_keep_local_time_across_a_daylight_saving_change() -> None:
    before_dst = datetime(2024, 3, 8, 21, 0, tzinfo=UTC)  # Friday 16:00 EST
    after_dst = datetime(2024, 3, 11, 14, 0, tzinfo=UTC)  # Monday 10:00 EDT
    assert add_business_time(before_dst, timedelta(hours=2), NEW_YORK) == after_dst


@given(moments, durations)
def test_the_business_time_between_a_start_and_its_deadline_is_the_duration(
    start: datetime, duration: timedelta
) -> None:
    for hours in (UTC_HOURS, NEW_YORK):
        deadline = add_business_time(start, duration, hours)
        assert deadline >= start
        assert business_time_between(start, deadline, hours) == duration


@given(moments, durations, durations)
def test_a_longer_duration_never_ends_earlier(
    start: datetime, shorter: timedelta, extra: timedelta
) -> None:
    sooner = add_business_time(start, shorter, NEW_YORK)
    assert add_business_time(start, shorter + extra, NEW_YORK) >= sooner


@given(moments)
def test_the_next_business_moment_is_never_earlier_and_has_no_business_time_before_it(
    moment: datetime,
) -> None:
    opening = next_business_moment(moment, NEW_YORK)
    assert opening >= moment
    assert business_time_between(moment, opening, NEW_YORK) == timedelta(0)
