"""Incident rules from SPEC §3: references, channels, status moves, retrospective times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from warroom.core.incident import channel_for, check_status_move, event_time, reference_for
from warroom.errors import Conflict, InvalidInput

NOW = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def test_the_first_incident_of_a_day_is_001_with_its_channel() -> None:
    assert reference_for(date(2024, 1, 15), 1) == "2024-01-15-001"
    assert channel_for("incident-{date}-{seq:03d}", date(2024, 1, 15), 12) == (
        "incident-2024-01-15-012"
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("investigating", "mitigating"),
        ("investigating", "monitoring"),
        ("mitigating", "monitoring"),
    ],
)
def test_moving_forward_needs_no_note(current: str, target: str) -> None:
    check_status_move(current, target, None)


def test_stepping_back_needs_a_note() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_status_move("monitoring", "investigating", None)
    assert refused.value.field == "note"
    check_status_move("monitoring", "investigating", "errors are back")


@pytest.mark.parametrize(
    ("current", "target", "error"),
    [
        ("investigating", "resolved", Conflict),
        ("resolved", "investigating", Conflict),
        ("mitigating", "mitigating", Conflict),
        ("investigating", "fixed", InvalidInput),
    ],
)
def test_forbidden_moves_are_refused(current: str, target: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_status_move(current, target, "note")


def test_an_action_without_at_happens_now() -> None:
    assert event_time(None, NOW, NOW - timedelta(minutes=5)) == NOW


def test_a_retrospective_at_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        event_time(NOW + timedelta(hours=1), NOW, None)
    assert refused.value.field == "at"


def test_a_retrospective_at_before_the_previous_event_is_refused() -> None:
    with pytest.raises(InvalidInput, match="before the incident's previous event"):
        event_time(NOW - timedelta(hours=2), NOW, NOW - timedelta(hours=1))


def test_a_naive_at_is_read_as_utc() -> None:
    assert event_time(datetime(2024, 1, 15, 9, 0), NOW, None) == NOW - timedelta(hours=1)
