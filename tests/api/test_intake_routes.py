"""The intake routes: keys, answers senders understand, and nothing a sender does is a 500.
A 2xx means the payload is committed to the intake inbox; `applied()` then runs what the
scheduler runs, applying the inbox to incidents."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.intake.conftest import fixture
from warroom.intake import applier as intake
from warroom.intake import dead_letters, group_commit, rejections
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import reading
from warroom.service.schemas import IncidentOut
from warroom.store.intake_models import AlertRow, InboxPayload

AM = "/api/v1/integrations/alertmanager"
GRAFANA = "/api/v1/integrations/grafana"
GENERIC = "/api/v1/integrations/generic"
PD = "/v2/enqueue"


@pytest.fixture
def keys(ctx: Context) -> dict[str, str]:
    return {
        kind: ctx.transact(integration_keys.create_integration, kind, kind)
        for kind in integration_keys.TYPES
    }


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def applied(ctx: Context) -> list[IncidentOut]:
    """Apply the inbox as the scheduler does; every incident, newest first."""
    intake_queue.apply_all(ctx)
    return ctx.read(reading.list_incidents, status="all")


def test_alertmanager_notifications_open_one_incident_per_group(app_client, keys, ctx) -> None:
    first = app_client.post(
        AM, json=fixture("02-firing-group-of-3.json"), headers=bearer(keys["alertmanager"])
    )
    again = app_client.post(
        AM, json=fixture("04-resolved-group-of-2.json"), headers=bearer(keys["alertmanager"])
    )
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == {"status": "accepted", "alerts": 3}
    assert intake_queue.pending(ctx) == 2, "answered once committed to the inbox"
    assert len(applied(ctx)) == 1
    assert intake_queue.pending(ctx) == 0


def test_grafana_payloads_open_incidents_on_their_route(app_client, keys, ctx) -> None:
    answer = app_client.post(
        GRAFANA, json=fixture("grafana-firing.json"), headers=bearer(keys["grafana"])
    )
    assert answer.status_code == 202, answer.text
    [incident] = applied(ctx)
    assert incident.services == ["payments"]


def test_pagerduty_events_are_answered_as_pagerduty_does(app_client, keys) -> None:
    body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    answer = app_client.post(PD, json=body)
    assert answer.status_code == 202
    assert answer.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "payments/checkout-5xx",
    }
    resolve = {"routing_key": keys["pagerduty"], "event_action": "resolve", "dedup_key": "nope"}
    assert app_client.post(PD, json=resolve).status_code == 202, "unknown dedup_key: dropped"


def test_numbers_beyond_64_bits_in_an_event_are_stored_exactly(app_client, keys, ctx) -> None:
    details = '{"bytes": 18446744073709551616, "delta": -9223372036854775809, "ratio": 0.1}'
    body = json.dumps(fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]})
    body = body.replace('"custom_details": {', f'"custom_details": {{"big": {details}, ', 1)
    answer = app_client.post(PD, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 202, answer.text
    applied(ctx)
    with ctx.db.reader() as session:
        stored = session.execute(select(AlertRow.details)).scalar_one()
    assert stored["custom_details"]["big"] == {
        "bytes": 2**64,
        "delta": -(2**63) - 1,
        "ratio": 0.1,
    }


def test_an_invalid_pagerduty_event_gets_400_invalid_event_with_errors(
    app_client, keys, ctx
) -> None:
    body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    body["payload"]["severity"] = "fatal"
    answer = app_client.post(PD, json=body)
    assert answer.status_code == 400
    assert answer.json()["status"] == "invalid event"
    assert answer.json()["errors"]
    kept = ctx.read(rejections.list_rejected)[0]
    assert keys["pagerduty"] not in kept["body"], "the routing key is not kept"


def test_an_oversized_pagerduty_body_is_refused(app_client, keys) -> None:
    body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    body["payload"]["custom_details"] = {"blob": "x" * 600_000}
    assert app_client.post(PD, json=body).status_code == 413


def test_past_the_playbooks_rate_pagerduty_senders_get_429_with_retry_after(ctx, keys) -> None:
    from warroom.api.app import create_app

    playbook = ctx.playbook.model_copy(
        update={"intake": ctx.playbook.intake.model_copy(update={"rate_limit_per_minute": 2})}
    )
    limited = Context(db=ctx.db, playbook=playbook, clock=ctx.clock, settings=ctx.settings)
    with TestClient(create_app(limited)) as client:
        body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
        codes = [client.post(PD, json=body).status_code for _ in range(3)]
        assert codes == [202, 202, 429]
        assert int(client.post(PD, json=body).headers["Retry-After"]) >= 1


def test_generic_events_open_and_resolve_by_dedup_key(app_client, keys, ctx) -> None:
    headers = bearer(keys["generic"])
    body = {
        "title": "Queue backlog",
        "severity": "critical",
        "service": "api",
        "dedup_key": "q1",
        "status": "firing",
    }
    opened = app_client.post(GENERIC, json=body, headers=headers)
    closed = app_client.post(GENERIC, json=body | {"status": "resolved"}, headers=headers)
    assert (opened.status_code, closed.status_code) == (202, 202)
    [incident] = applied(ctx)
    assert (incident.severity, incident.services, incident.status) == (1, ["api"], "investigating")


def test_a_pagerduty_trigger_without_dedup_key_opens_the_incident_under_the_key_answered(
    app_client, keys, ctx
) -> None:
    body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    del body["dedup_key"]
    answered = app_client.post(PD, json=body).json()["dedup_key"]
    [incident] = applied(ctx)
    resolve = {"routing_key": keys["pagerduty"], "event_action": "acknowledge"}
    assert app_client.post(PD, json=resolve | {"dedup_key": answered}).status_code == 202
    [acknowledged] = applied(ctx)
    assert acknowledged.reference == incident.reference
    assert acknowledged.acknowledged_at is not None


def test_the_inbox_keeps_no_integration_key(app_client, keys, ctx) -> None:
    body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    assert app_client.post(PD, json=body).status_code == 202
    with ctx.db.reader() as session:
        stored = session.execute(select(InboxPayload.body)).scalar_one()
    assert keys["pagerduty"].encode() not in stored


def test_a_payload_that_cannot_be_applied_becomes_a_dead_letter_and_the_rest_apply(
    app_client, keys, ctx, monkeypatch
) -> None:
    real_apply = intake.apply

    def apply_but_the_first(ctx, session, found, note):
        if note.group_key == "poison":
            raise RuntimeError("a bug met this payload")
        return real_apply(ctx, session, found, note)

    monkeypatch.setattr(intake, "apply", apply_but_the_first)
    headers = bearer(keys["generic"])
    for key in ("poison", "fine"):
        body = {"title": f"{key} alert", "dedup_key": key, "severity": "warning"}
        assert app_client.post(GENERIC, json=body, headers=headers).status_code == 202
    [incident] = applied(ctx)
    assert incident.title == "fine alert"
    [kept] = ctx.read(dead_letters.list_dead_letters)
    assert kept["kind"] == "generic" and "a bug met this payload" in kept["reason"]
    assert intake_queue.pending(ctx) == 0


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}]
)
def test_a_wrong_or_missing_key_is_401(app_client, keys, headers) -> None:
    answer = app_client.post(AM, json=fixture("01-firing-single-alert.json"), headers=headers)
    assert answer.status_code == 401


def test_a_key_of_another_source_is_401(app_client, keys) -> None:
    answer = app_client.post(
        AM, json=fixture("01-firing-single-alert.json"), headers=bearer(keys["grafana"])
    )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("content", "content_type", "status", "field"),
    [
        ("{not json", "application/json", 400, "body"),
        (json.dumps(fixture("01-firing-single-alert.json")), "text/plain", 415, "content-type"),
        (
            json.dumps({**fixture("01-firing-single-alert.json"), "alerts": "x"}),
            "application/json",
            400,
            "alerts",
        ),
        ("x" * (11 * 1024 * 1024), "application/json", 413, "body"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_kept(
    app_client, keys, ctx, content, content_type, status, field
):
    headers = bearer(keys["alertmanager"]) | {"Content-Type": content_type}
    answer = app_client.post(AM, content=content, headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"]["field"] == field
    kept = ctx.read(rejections.list_rejected)[0]
    assert (kept["status_code"], kept["field"]) == (status, field)
    assert "authorization" not in kept["headers"]


def test_labels_that_are_not_a_map_are_refused_by_name(app_client, keys) -> None:
    body = fixture("01-firing-single-alert.json")
    body["alerts"][0]["labels"] = "severity=critical"
    answer = app_client.post(AM, json=body, headers=bearer(keys["alertmanager"]))
    assert (answer.status_code, answer.json()["error"]["field"]) == (400, "alerts[0].labels")


def test_a_database_failure_answers_503_so_senders_retry(app_client, keys, monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(group_commit, "store", broken)
    answer = app_client.post(
        AM, json=fixture("01-firing-single-alert.json"), headers=bearer(keys["alertmanager"])
    )
    assert answer.status_code == 503
    body = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    assert app_client.post(PD, json=body).status_code == 503


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"alerts": [], "x": NaN}',
        b'{"alerts": [], "x": "\xff\xfe"}',
    ],
)
def test_hostile_json_is_a_400_not_a_500(app_client, keys, content) -> None:
    headers = bearer(keys["alertmanager"]) | {"Content-Type": "application/json"}
    answer = app_client.post(AM, content=content, headers=headers)
    assert answer.status_code == 400


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00-05:00", "2024-13-01T00:00:00Z"])
def test_timestamps_at_the_edge_of_time_are_refused_by_name(app_client, keys, value) -> None:
    body = fixture("01-firing-single-alert.json")
    body["alerts"][0]["startsAt"] = value
    answer = app_client.post(AM, json=body, headers=bearer(keys["alertmanager"]))
    assert (answer.status_code, answer.json()["error"]["field"]) == (400, "alerts[0].startsAt")


def test_text_the_database_cannot_store_is_a_400_not_a_retry(app_client, keys) -> None:
    body = fixture("01-firing-single-alert.json")
    body["alerts"][0]["annotations"]["summary"] = "nul \u0000 byte"
    answer = app_client.post(AM, json=body, headers=bearer(keys["alertmanager"]))
    assert (answer.status_code, answer.json()["error"]["field"]) == (400, "body")


def test_metrics_show_the_inbox_backlog_until_the_scheduler_applies_it(
    app_client, keys, ctx
) -> None:
    body = fixture("01-firing-single-alert.json")
    assert app_client.post(AM, json=body, headers=bearer(keys["alertmanager"])).status_code == 202
    assert "warroom_intake_inbox_pending 1.0" in app_client.get("/metrics").text
    applied(ctx)
    assert "warroom_intake_inbox_pending 0.0" in app_client.get("/metrics").text
