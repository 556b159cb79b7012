"""Component status, page indicator, impact and uptime: the status page's pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.core import status as rules

NOW = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
MAPPING = {1: "major_outage", 2: "partial_outage", 3: "degraded_performance", 4: "operational"}
COMPONENTS = ["api", "web", "database"]


def _open(severity: int, *services: str) -> rules.Affecting:
    return rules.Affecting(severity, services, NOW - timedelta(hours=1), None)


def test_a_component_follows_the_worst_open_incident_that_affects_it() -> None:
    statuses = rules.component_statuses(
        COMPONENTS, [_open(3, "api"), _open(2, "api", "web")], [], [], MAPPING, NOW
    )
    assert statuses == {"api": "partial_outage", "web": "partial_outage", "database": "operational"}


def test_a_sev1_is_a_major_outage_and_a_sev4_leaves_the_component_operational() -> None:
    assert (
        rules.component_statuses(COMPONENTS, [_open(1, "api")], [], [], MAPPING, NOW)["api"]
        == "major_outage"
    )
    assert (
        rules.component_statuses(COMPONENTS, [_open(4, "api")], [], [], MAPPING, NOW)["api"]
        == "operational"
    )


def test_a_resolved_incident_no_longer_affects_its_components() -> None:
    resolved = rules.Affecting(1, ["api"], NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    assert rules.component_statuses(COMPONENTS, [resolved], [], [], MAPPING, NOW)["api"] == (
        "operational"
    )


def test_an_override_wins_until_it_expires() -> None:
    override = rules.Override("api", "operational", NOW + timedelta(hours=2))
    incident = [_open(1, "api")]
    now = rules.component_statuses(COMPONENTS, incident, [override], [], MAPPING, NOW)
    assert now["api"] == "operational"
    later = NOW + timedelta(hours=2)
    assert (
        rules.component_statuses(COMPONENTS, incident, [override], [], MAPPING, later)["api"]
        == "major_outage"
    )


def test_an_active_maintenance_window_puts_its_components_under_maintenance() -> None:
    window = rules.Window(["database"], NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    assert rules.maintenance_state(window, NOW) == "scheduled"
    during = NOW + timedelta(hours=1, minutes=30)
    assert rules.maintenance_state(window, during) == "in_progress"
    assert rules.maintenance_state(window, NOW + timedelta(hours=3)) == "completed"
    statuses = rules.component_statuses(COMPONENTS, [], [], [window], MAPPING, during)
    assert statuses["database"] == "under_maintenance"
    assert rules.indicator(statuses.values()) == "maintenance"
    worse = rules.component_statuses(
        COMPONENTS, [_open(2, "database")], [], [window], MAPPING, during
    )
    assert worse["database"] == "partial_outage"


def test_the_indicator_follows_the_worst_component() -> None:
    assert rules.indicator([]) == "none"
    assert rules.indicator(["operational", "operational"]) == "none"
    assert rules.indicator(["operational", "degraded_performance"]) == "minor"
    assert rules.indicator(["degraded_performance", "partial_outage"]) == "major"
    assert rules.indicator(["partial_outage", "major_outage", "under_maintenance"]) == "critical"


def test_an_incidents_impact_follows_its_severity() -> None:
    assert [rules.impact(n, MAPPING) for n in (1, 2, 3, 4)] == [
        "critical",
        "major",
        "minor",
        "none",
    ]


def test_uptime_counts_a_major_outage_fully_and_a_partial_one_in_part() -> None:
    day = timedelta(days=1)
    outage = rules.Affecting(1, ["api"], NOW - 10 * day, NOW - 10 * day + timedelta(hours=9))
    partial = rules.Affecting(2, ["web"], NOW - 5 * day, NOW - 4 * day)
    incidents = [outage, partial]
    assert rules.uptime("api", incidents, MAPPING, NOW) == round(100 * (1 - 9 / (90 * 24)), 2)
    assert rules.uptime("web", incidents, MAPPING, NOW) == round(100 * (1 - 0.3 / 90), 2)
    assert rules.uptime("database", incidents, MAPPING, NOW) == 100.0


def test_the_history_has_ninety_days_each_with_its_worst_status() -> None:
    days = rules.history_days(NOW)
    assert len(days) == 90 and days[-1] == NOW.date()
    incident = rules.Affecting(
        3, ["api"], NOW - timedelta(days=2, hours=1), NOW - timedelta(days=1)
    )
    worst = rules.daily_worst("api", [incident, _open(1, "api")], MAPPING, days, NOW)
    assert worst[days[-3]] == "degraded_performance"
    assert worst[days[-2]] == "degraded_performance"
    assert worst[days[-1]] == "major_outage"
    assert worst[days[0]] == "operational"


def test_warroom_statuses_map_to_statuspage_statuses() -> None:
    assert rules.INCIDENT_STATUS == {
        "investigating": "investigating",
        "mitigating": "identified",
        "monitoring": "monitoring",
        "resolved": "resolved",
    }
