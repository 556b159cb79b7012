"""Metrics: spreadsheet percentiles, MTTA/MTTR/TTD, SLA outcomes, drill scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.core import metrics

T0 = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def test_two_sev1s_acknowledged_after_10_and_20_minutes_have_a_median_of_15() -> None:
    assert metrics.summarize([600.0, 1200.0]) == {"median": 900.0, "p90": 1140.0, "mean": 900.0}


def test_median_and_p90_interpolate_between_ranks_as_a_spreadsheet_does() -> None:
    values = [float(v) for v in range(1, 11)]
    assert metrics.summarize(values) == {"median": 5.5, "p90": 9.1, "mean": 5.5}
    assert metrics.summarize([3.0, 1.0, 2.0])["median"] == 2.0
    assert metrics.summarize([]) == {"median": None, "p90": None, "mean": None}
    assert metrics.percentile([7.0], 0.9) == 7.0


def test_time_to_acknowledge_resolve_and_detect_are_differences_of_the_kept_times() -> None:
    assert metrics.time_to_acknowledge(T0, T0 + timedelta(minutes=5)) == 300.0
    assert metrics.time_to_resolve(T0, None) is None
    assert metrics.time_to_detect(T0 - timedelta(minutes=2), T0) == 120.0


def test_a_sev1_acknowledged_after_15_minutes_meets_the_response_sla_and_later_breaches() -> None:
    limit = timedelta(minutes=15)
    assert metrics.sla_outcome(T0, T0 + limit, limit, T0 + limit) == "met"
    assert metrics.sla_outcome(T0, T0 + limit + timedelta(seconds=1), limit, T0) == "breached"
    assert metrics.sla_outcome(T0, None, limit, T0 + timedelta(minutes=1)) is None
    assert metrics.sla_outcome(T0, None, limit, T0 + timedelta(hours=1)) == "breached"


def test_a_drill_with_a_page_every_role_and_an_update_on_time_scores_100() -> None:
    score = metrics.score_drill(
        T0, T0 + timedelta(minutes=1), 3, 3, T0 + timedelta(minutes=10), timedelta(minutes=30)
    )
    assert score.score == 100
    late = metrics.score_drill(T0, None, 0, 3, T0 + timedelta(hours=1), timedelta(minutes=30))
    assert late.score == 0 and not late.first_update_on_time


def test_trends_are_percent_changes_against_the_baseline() -> None:
    assert metrics.trend(12, 10) == 20.0
    assert metrics.trend(5, None) is None
