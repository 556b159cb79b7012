"""The improvement loop's calendar: the 1st of the month, the quarter, the review date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from warroom.core import review_calendar


def test_the_monthly_review_comes_on_the_1st_for_the_month_just_ended() -> None:
    now = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    at, month = review_calendar.next_monthly_review(now, "UTC")
    assert (at, month) == (datetime(2027, 1, 1, tzinfo=UTC), "2026-12")


def test_the_1st_is_the_playbook_timezone_s_1st() -> None:
    now = datetime(2027, 1, 31, 20, 0, tzinfo=UTC)  # already February 1st in Tokyo
    at, month = review_calendar.next_monthly_review(now, "Asia/Tokyo")
    assert (at, month) == (datetime(2027, 2, 28, 15, 0, tzinfo=UTC), "2027-02")
    assert review_calendar.previous_month(now, "Asia/Tokyo") == "2027-01"


def test_the_quarterly_exercise_comes_on_the_first_morning_of_each_quarter() -> None:
    assert review_calendar.next_quarter_start(datetime(2026, 12, 6, tzinfo=UTC), "UTC") == (
        datetime(2027, 1, 1, 9, 0, tzinfo=UTC),
        "2027-Q1",
    )
    early = datetime(2027, 4, 1, 8, 0, tzinfo=UTC)
    assert review_calendar.next_quarter_start(early, "UTC")[1] == "2027-Q2"
    late = datetime(2027, 4, 1, 10, 0, tzinfo=UTC)
    assert review_calendar.next_quarter_start(late, "UTC")[1] == "2027-Q3"


def test_the_playbook_review_reminder_comes_that_morning() -> None:
    at = review_calendar.review_reminder_at(date(2024, 4, 15), "Europe/Paris")
    assert at == datetime(2024, 4, 15, 7, 0, tzinfo=UTC)
