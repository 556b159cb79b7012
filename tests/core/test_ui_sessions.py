"""The web UI session's lifetime and CSRF token, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.core.ui_sessions import csrf_matches, csrf_token, expiry, needs_refresh

SIGN_IN = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def test_a_session_lasts_twelve_hours_from_its_last_use() -> None:
    used = SIGN_IN + timedelta(hours=30)
    assert expiry(SIGN_IN, used) == used + timedelta(hours=12)


def test_no_amount_of_use_keeps_a_session_past_seven_days() -> None:
    assert expiry(SIGN_IN, SIGN_IN + timedelta(days=6, hours=20)) == SIGN_IN + timedelta(days=7)


def test_the_idle_deadline_moves_only_once_five_minutes_have_passed() -> None:
    expires = expiry(SIGN_IN, SIGN_IN)
    assert not needs_refresh(SIGN_IN, expires, SIGN_IN + timedelta(minutes=4))
    assert needs_refresh(SIGN_IN, expires, SIGN_IN + timedelta(minutes=5))


def test_a_csrf_token_matches_its_own_session_only() -> None:
    assert csrf_matches("session-a", csrf_token("session-a"))
    assert not csrf_matches("session-b", csrf_token("session-a"))


def test_a_missing_or_non_ascii_csrf_token_is_a_mismatch_not_an_error() -> None:
    assert not csrf_matches("session-a", None)
    assert not csrf_matches("session-a", "é\ud800")
