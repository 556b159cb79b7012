"""Label routing, grouping decisions and the per-key rate: pure, with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.core.playbook import Intake, IntakeRule
from warroom.intake.routing import (
    Alert,
    GroupMove,
    Notification,
    RateLimiter,
    coalesce,
    deciding_labels,
    group_move,
    plan,
    route,
)

NOW = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def alert(status: str = "firing", minutes_ago: int = 0, **labels: str) -> Alert:
    return Alert(
        source="alertmanager",
        group_key="g",
        status=status,
        title="t",  # type: ignore[arg-type]
        labels=labels,
        annotations={},
        starts_at=NOW - timedelta(minutes=minutes_ago),
        ends_at=None,
        fingerprint=str(sorted(labels.items())),
        details={},
    )


def test_the_severity_label_maps_critical_to_sev1_and_low_to_sev4() -> None:
    intake = Intake()
    assert route(intake, {"severity": "critical"}).severity == 1
    assert route(intake, {"severity": "HIGH"}).severity == 2
    assert route(intake, {"severity": "low"}).severity == 4
    assert route(intake, {}).severity == intake.default_severity


def test_the_service_label_names_the_service_else_job() -> None:
    intake = Intake()
    assert route(intake, {"service": "api", "job": "node"}).service == "api"
    assert route(intake, {"job": "payments"}).service == "payments"


def test_the_first_matching_rule_sets_service_and_severity_or_drops() -> None:
    intake = Intake(
        rules=[
            IntakeRule(match={"alertname": "Watchdog"}, drop=True),
            IntakeRule(match={"team": "payments"}, service="payments", severity=1),
        ]
    )
    assert route(intake, {"alertname": "Watchdog"}).drop
    decided = route(intake, {"team": "payments", "severity": "warning"})
    assert (decided.service, decided.severity) == ("payments", 1)


def test_a_plan_takes_the_worst_firing_severity_and_only_catalog_services() -> None:
    note = Notification(
        "alertmanager",
        "g",
        "t",
        (
            alert(severity="warning", service="api", minutes_ago=3),
            alert(severity="critical", service="checkout", minutes_ago=7),
            alert("resolved", severity="critical", service="web", minutes_ago=30),
        ),
    )
    planned = plan(Intake(), note, {"api", "web"})
    assert planned.severity == 1
    assert planned.services == ("api", "web")
    assert planned.detected_at == NOW - timedelta(minutes=7)


def test_alerts_of_one_payload_are_each_routed_by_their_own_rule_labels() -> None:
    """A plan routes alerts alike in every label a rule reads alike, and no others."""
    intake = Intake(rules=[IntakeRule(match={"team": "payments"}, service="payments", drop=True)])
    note = Notification(
        "alertmanager",
        "g",
        "t",
        (
            alert(severity="warning", service="api", team="payments", instance="a"),
            alert(severity="warning", service="api", team="web", instance="b"),
            alert(severity="warning", service="api", team="web", instance="c"),
        ),
    )
    planned = plan(intake, note, {"api"})
    assert [a.labels["instance"] for a in planned.alerts] == ["b", "c"]
    assert deciding_labels(intake) == ("service", "job", "severity", "team")


def test_a_firing_group_with_an_open_incident_attaches_to_it() -> None:
    move = group_move(
        firing=True,
        incident_resolved_at=None,
        has_incident=True,
        now=NOW,
        reopen_window=timedelta(hours=1),
    )
    assert move is GroupMove.ATTACH


def test_a_group_firing_again_within_the_reopen_window_reopens_and_later_declares() -> None:
    window = timedelta(hours=1)
    soon = group_move(
        firing=True,
        incident_resolved_at=NOW - timedelta(minutes=59),
        has_incident=True,
        now=NOW,
        reopen_window=window,
    )
    late = group_move(
        firing=True,
        incident_resolved_at=NOW - timedelta(minutes=61),
        has_incident=True,
        now=NOW,
        reopen_window=window,
    )
    assert (soon, late) == (GroupMove.REOPEN, GroupMove.DECLARE)


def test_a_resolution_for_a_group_with_nothing_open_changes_nothing() -> None:
    assert (
        group_move(
            firing=False,
            incident_resolved_at=None,
            has_incident=False,
            now=NOW,
            reopen_window=timedelta(hours=1),
        )
        is GroupMove.IGNORE
    )


def test_past_the_rate_per_minute_a_key_is_told_how_long_to_wait() -> None:
    limiter = RateLimiter(2)
    assert limiter.hit("k", NOW) is None
    assert limiter.hit("k", NOW + timedelta(seconds=10)) is None
    wait = limiter.hit("k", NOW + timedelta(seconds=20))
    assert wait is not None and 40 <= wait <= 41
    assert limiter.hit("other", NOW) is None
    assert limiter.hit("k", NOW + timedelta(seconds=61)) is None


def note(group: str, *statuses: str, action: str = "trigger") -> Notification:
    alerts = tuple(alert(status, instance=f"{group}-{n}") for n, status in enumerate(statuses))
    return Notification("alertmanager", group, group, alerts, action)  # type: ignore[arg-type]


def test_a_groups_run_of_firing_triggers_is_applied_as_one_with_all_their_alerts() -> None:
    units = coalesce([(1, note("a", "firing")), (1, note("b", "firing")), (1, note("a", "firing"))])
    assert [(positions, unit.group_key, len(unit.alerts)) for positions, unit in units] == [
        ([0, 2], "a", 2),
        ([1], "b", 1),
    ]


def test_a_resolution_between_triggers_keeps_the_groups_order() -> None:
    units = coalesce(
        [(1, note("a", "firing")), (1, note("a", "resolved")), (1, note("a", "firing"))]
    )
    assert [positions for positions, _ in units] == [[0], [1], [2]]


def test_acknowledgements_and_other_integrations_are_never_merged() -> None:
    units = coalesce(
        [
            (1, note("a", "firing")),
            (2, note("a", "firing")),
            (1, note("a", "firing", action="acknowledge")),
            (1, note("a", "firing")),
        ]
    )
    assert [positions for positions, _ in units] == [[0], [1], [2], [3]]
