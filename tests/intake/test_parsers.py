"""Every captured and composed payload parses into the one internal alert shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.intake.conftest import FIXTURES, fixture
from warroom.core.playbook import Intake
from warroom.intake import alertmanager, generic, grafana, pagerduty
from warroom.intake.common import PayloadRejected, read_json

NOW = datetime(2026, 11, 26, 19, 5, tzinfo=UTC)
AM_FILES = sorted(p.name for p in FIXTURES.glob("0*.json"))


@pytest.mark.parametrize("name", AM_FILES)
def test_every_captured_alertmanager_payload_parses_with_its_group_key(name: str) -> None:
    body = fixture(name)
    note = alertmanager.parse(body, NOW)
    assert note.group_key == body["groupKey"]
    assert len(note.alerts) == len(body["alerts"])
    for alert, raw in zip(note.alerts, body["alerts"], strict=True):
        assert alert.status == raw["status"]
        assert alert.fingerprint == raw["fingerprint"]
        assert alert.labels == raw["labels"]
        assert alert.starts_at.tzinfo is not None
        if raw["status"] == "firing":
            assert alert.ends_at is None, "Go's zero time 0001-01-01 means not ended"
        else:
            assert alert.ends_at is not None and alert.ends_at > alert.starts_at
    assert note.all_resolved == (body["status"] == "resolved")


def test_a_firing_alert_takes_its_title_from_alertname_and_summary() -> None:
    note = alertmanager.parse(fixture("02-firing-group-of-3.json"), NOW)
    assert note.title == "HighErrorRate: 5xx rate above 5%"
    assert note.alerts[0].details["generatorURL"].startswith("http://prometheus")


def test_each_alert_keeps_its_alertmanager_s_address_for_a_silence_link() -> None:
    note = alertmanager.parse(fixture("02-firing-group-of-3.json"), NOW)
    assert {a.details["externalURL"] for a in note.alerts} == {"http://vm:19093"}
    body = fixture("01-firing-single-alert.json") | {"externalURL": 9093}
    assert "externalURL" not in alertmanager.parse(body, NOW).alerts[0].details, (
        "an address that is not text is left out, never a reason to refuse the payload"
    )


def test_unknown_fields_from_newer_alertmanagers_are_ignored() -> None:
    body = fixture("01-firing-single-alert.json")
    body |= {"notification_reason": "first notification", "routeLabels": {"a": "b"}}
    body["alerts"][0]["somethingNew"] = [1, 2]
    assert len(alertmanager.parse(body, NOW).alerts) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(alerts={"a": 1}), "alerts"),
        (lambda b: b["alerts"][0].update(labels=["x"]), "alerts[0].labels"),
        (lambda b: b["alerts"][0].update(startsAt="yesterday"), "alerts[0].startsAt"),
        (lambda b: b["alerts"][0].update(endsAt=12), "alerts[0].endsAt"),
        (lambda b: b["alerts"][0].update(status="pending"), "alerts[0].status"),
        (lambda b: b["alerts"][0]["labels"].update(team=["a"]), "alerts[0].labels.team"),
        (lambda b: b["alerts"][0].update(startsAt="2024-01-15T10:00:00"), "alerts[0].startsAt"),
        (lambda b: b["alerts"][0].update(fingerprint=7), "alerts[0].fingerprint"),
        (lambda b: b.update(commonLabels="x"), "commonLabels"),
    ],
)
def test_a_malformed_alertmanager_payload_is_rejected_naming_the_field(change, field) -> None:
    body = fixture("01-firing-single-alert.json")
    change(body)
    with pytest.raises(PayloadRejected) as caught:
        alertmanager.parse(body, NOW)
    assert caught.value.field == field


def test_grafana_version_1_with_its_extra_fields_parses_like_alertmanager() -> None:
    note = grafana.parse(fixture("grafana-firing.json"), NOW)
    assert note.source == "grafana"
    assert note.title == "CheckoutErrorRate: 5xx ratio above 5%"
    alert = note.alerts[0]
    assert alert.ends_at is None
    assert alert.details["values"] == {"A": 0.072, "C": 1}
    assert alert.details["dashboardURL"].startswith("https://grafana")


def test_legacy_grafana_payloads_are_refused_by_name() -> None:
    with pytest.raises(PayloadRejected, match="legacy"):
        grafana.parse({"ruleName": "x", "evalMatches": [], "state": "alerting"}, NOW)


@pytest.mark.parametrize("name", ["pagerduty-am025-trigger.json", "pagerduty-am030-trigger.json"])
def test_alertmanager_pagerduty_details_as_strings_or_arrays_yield_the_labels(name: str) -> None:
    event = pagerduty.parse(fixture(name), NOW)
    assert event.dedup_key == "9f477d497239b3c7636cad5a0833db0146c4e87d2dd8fd3e0bca8e0d9213e4ed"
    alert = event.notification.alerts[0]
    assert alert.labels["service"] == "payments"
    assert alert.labels["alertname"] == "CheckoutErrorRate"
    assert alert.labels["severity"] == "critical"
    assert alert.status == "firing"


def test_a_pagerduty_trigger_keeps_its_timestamp_and_custom_details() -> None:
    event = pagerduty.parse(fixture("pagerduty-trigger.json"), NOW)
    alert = event.notification.alerts[0]
    assert alert.starts_at == datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)
    assert alert.labels["component"] == "checkout-api"
    assert alert.details["custom_details"]["region"] == "eu-west-1"
    assert event.notification.title.startswith("Checkout 5xx")


def test_a_pagerduty_trigger_without_dedup_key_gets_one() -> None:
    body = fixture("pagerduty-trigger.json")
    del body["dedup_key"]
    assert len(pagerduty.parse(body, NOW).dedup_key) == 32


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda b: b["payload"].update(summary="x" * 1025), "longer than 1024"),
        (lambda b: b.update(dedup_key="k" * 256), "longer than 255"),
        (lambda b: b["payload"].update(severity="fatal"), "critical, error, warning, info"),
        (lambda b: b["payload"].pop("severity"), "'payload.severity' is missing or blank"),
        (lambda b: b.update(event_action="explode"), "'event_action'"),
        (lambda b: b.update(event_action="resolve", dedup_key=None), "'dedup_key' is missing"),
    ],
)
def test_pagerduty_limits_answer_invalid_event_with_every_error(change, error) -> None:
    body = fixture("pagerduty-trigger.json")
    change(body)
    with pytest.raises(pagerduty.InvalidEvent) as caught:
        pagerduty.parse(body, NOW)
    assert any(error in message for message in caught.value.errors)


def test_a_pagerduty_resolve_needs_no_payload() -> None:
    body = {"routing_key": "k" * 32, "event_action": "resolve", "dedup_key": "abc"}
    event = pagerduty.parse(body, NOW)
    assert event.notification.action == "resolve"
    assert event.notification.all_resolved


def test_a_generic_event_carries_severity_and_service_as_labels() -> None:
    body = {
        "title": "Disk full",
        "severity": 2,
        "service": "database",
        "dedup_key": "d1",
        "status": "firing",
        "details": {"host": "db-1"},
    }
    note = generic.parse(body, NOW, Intake())
    alert = note.alerts[0]
    assert alert.labels == {"severity": "error", "service": "database"}
    assert note.group_key == "d1"
    assert alert.details == {"host": "db-1"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "firing"}, "title"),
        ({"title": "x", "status": "burning"}, "status"),
        ({"title": "x", "severity": 9}, "severity"),
        ({"title": "x", "details": [1]}, "details"),
        ([1, 2], "body"),
    ],
)
def test_a_bad_generic_event_is_rejected_naming_the_field(body, field) -> None:
    with pytest.raises(PayloadRejected) as caught:
        generic.parse(body, NOW, Intake())
    assert caught.value.field == field


@pytest.mark.parametrize(
    "raw",
    [
        b'{"count": 18446744073709551616, "low": -9223372036854775809}',
        b'{"top": 18446744073709551615, "ids": [12345678901234567890123]}',
        b'{"pi": 3.141592653589793238462643, "tiny": 4.9e-324, "huge": 1.7976931348623159e308}',
        '{"summary": "disk full ☁"}'.encode("utf-16"),
        b'\xef\xbb\xbf{"bom": true}',
        b'{"pair": "\\ud83d\\ude00", "dup": 1, "dup": 2}',  # a lone one: tests/security
        b"[" * 900 + b"]" * 900,
    ],
)
def test_a_body_reads_as_the_standard_library_reads_it_numbers_exact(raw: bytes) -> None:
    expected = json.loads(raw)
    assert repr(read_json(raw)) == repr(expected)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"x": NaN}', "NaN is not valid JSON"),
        (b'{"x": -Infinity}', "-Infinity is not valid JSON"),
        (b"{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b'"\xff"', "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"),
    ],
)
def test_a_body_json_refuses_is_refused_with_its_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ValueError) as refused:
        read_json(raw)
    assert str(refused.value) == reason
