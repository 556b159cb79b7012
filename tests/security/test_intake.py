"""Hostile-client probes of alert intake (issue 18), each kept as a test: what a sender can
push through the door, and what a revoked or missing key gets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import FIXTURES, fixture
from warroom.api.app import create_app
from warroom.errors import NotFound
from warroom.intake import applier, dead_letters, rejections
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import reading
from warroom.store.session import Database

AM = "/api/v1/integrations/alertmanager"
GENERIC = "/api/v1/integrations/generic"
PD = "/v2/enqueue"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def keys(ctx: Context) -> dict[str, str]:
    return {
        kind: ctx.transact(integration_keys.create_integration, kind, kind)
        for kind in ("generic", "pagerduty", "alertmanager")
    }


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} | JSON


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "disk \\ud800 full", "dedup_key": "d"}', "title"),
        (b'{"title": "disk", "details": {"host": ["ok", "\\udfff"]}}', "details.host[1]"),
        ('{"title": "raw \ud800 bytes"}'.encode("utf-8", "surrogatepass"), "title"),
    ],
)
def test_a_lone_surrogate_in_a_generic_alert_is_refused_at_the_door_naming_the_field(
    app_client, keys, ctx, body, field
) -> None:
    answer = app_client.post(GENERIC, content=body, headers=bearer(keys["generic"]))
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field
    assert intake_queue.pending(ctx) == 0, "never accepted, so it never fails at apply"


def test_a_lone_surrogate_in_an_alertmanager_label_is_refused_naming_the_alert(
    app_client, keys
) -> None:
    raw = (FIXTURES / "01-firing-single-alert.json").read_bytes()
    body = raw.replace(b'"DiskAlmostFull"', b'"DiskAlmostFull\\ud800"', 1)
    answer = app_client.post(AM, content=body, headers=bearer(keys["alertmanager"]))
    assert (answer.status_code, answer.json()["error"]["field"]) == (
        400,
        "alerts[0].labels.alertname",
    )


def test_a_lone_surrogate_in_a_pagerduty_event_is_an_invalid_event(app_client, keys, ctx) -> None:
    body = (
        b'{"routing_key": "%s", "event_action": "trigger", "dedup_key": "x", "payload": '
        b'{"summary": "\\ud800", "source": "s", "severity": "error"}}' % keys["pagerduty"].encode()
    )
    answer = app_client.post(PD, content=body, headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["status"] == "invalid event"
    assert "payload.summary" in answer.json()["message"]
    assert intake_queue.pending(ctx) == 0


@pytest.mark.parametrize(
    ("path", "headers", "content"),
    [
        (GENERIC, JSON, b'{"title": "no key"}'),
        (GENERIC, {"Authorization": "Bearer not-a-key"} | JSON, b'{"title": "bad key"}'),
        (PD, JSON, b'{"routing_key": "nope", "event_action": "trigger", "payload": {}}'),
    ],
)
def test_a_request_without_a_valid_key_is_counted_and_not_kept(
    app_client, keys, ctx, path, headers, content
) -> None:
    padding = b" " * 60_000  # an anonymous sender cannot fill the rejected list
    answer = app_client.post(path, content=content + padding, headers=headers)
    assert answer.status_code == 401
    assert ctx.read(rejections.list_rejected) == []
    metrics = app_client.get("/metrics").text
    assert f'warroom_intake_unauthorized_total{{endpoint="{path}"}} 1.0' in metrics


def test_a_bad_request_with_a_valid_key_is_still_kept_for_inspection(app_client, keys, ctx) -> None:
    answer = app_client.post(GENERIC, content=b"{not json", headers=bearer(keys["generic"]))
    assert answer.status_code == 400
    assert [r["status_code"] for r in ctx.read(rejections.list_rejected)] == [400]


def test_a_key_revoked_by_another_process_is_refused_on_the_very_next_request(
    app_client, keys, ctx
) -> None:
    """The server remembers keys it checked; the revocation comes from a second context
    on the same database, as `warroom integration revoke` in another process would."""
    headers = bearer(keys["generic"])
    assert app_client.post(GENERIC, json={"title": "first"}, headers=headers).status_code == 202
    elsewhere = Context(
        db=Database(ctx.settings.database_url),
        playbook=ctx.playbook,
        clock=ctx.clock,
        settings=ctx.settings,
    )
    try:
        elsewhere.transact(integration_keys.revoke_integration, "generic")
    finally:
        elsewhere.db.dispose()
    refused = app_client.post(GENERIC, json={"title": "second"}, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["field"] == "authorization"
    assert intake_queue.pending(ctx) == 1, "only the payload sent before the revocation"
    again = app_client.post(GENERIC, json={"title": "third"}, headers=headers)
    assert again.status_code == 401


def test_a_pagerduty_key_revoked_elsewhere_is_refused_as_pagerduty_would(keys, ctx) -> None:
    event = fixture("pagerduty-trigger.json") | {"routing_key": keys["pagerduty"]}
    with TestClient(create_app(ctx)) as client:
        assert client.post(PD, json=event).status_code == 202
        elsewhere = Context(
            db=Database(ctx.settings.database_url),
            playbook=ctx.playbook,
            clock=ctx.clock,
            settings=ctx.settings,
        )
        elsewhere.transact(integration_keys.revoke_integration, "pagerduty")
        elsewhere.db.dispose()
        refused = client.post(PD, json=event)
    assert refused.status_code == 401
    assert refused.json()["status"] == "unauthorized"


def test_a_payload_accepted_but_impossible_to_apply_is_kept_until_retried(
    app_client, keys, ctx, monkeypatch
) -> None:
    """The rejected list keeps only the newest; a dead letter outlives any number of them,
    and a retry applies it once the fault is gone."""
    real_apply = applier.apply

    def broken(ctx, session, found, note):
        raise RuntimeError("a bug met this payload")

    monkeypatch.setattr(applier, "apply", broken)
    body = {"title": "disk full", "dedup_key": "disk", "severity": "warning"}
    assert app_client.post(GENERIC, json=body, headers=bearer(keys["generic"])).status_code == 202
    intake_queue.apply_all(ctx)
    [letter] = ctx.read(dead_letters.list_dead_letters)
    monkeypatch.setattr(rejections, "REJECTED_KEPT", 2)
    for n in range(5):
        bad = app_client.post(GENERIC, content=b"{", headers=bearer(keys["generic"]))
        assert bad.status_code == 400, n
    assert len(ctx.read(rejections.list_rejected)) == 2
    assert ctx.read(dead_letters.list_dead_letters) == [letter], "never pruned"

    failed_again = dead_letters.retry(ctx, letter["id"])
    assert not failed_again.applied and failed_again.again is not None
    [letter] = ctx.read(dead_letters.list_dead_letters)
    assert letter["id"] == failed_again.again["id"]

    monkeypatch.setattr(applier, "apply", real_apply)
    assert dead_letters.retry(ctx, letter["id"]).applied
    assert ctx.read(dead_letters.list_dead_letters) == []
    [incident] = ctx.read(reading.list_incidents, status="all")
    assert incident.title == "disk full"


def test_retrying_an_unknown_dead_letter_names_it(ctx) -> None:
    with pytest.raises(NotFound, match="no dead letter 42"):
        dead_letters.retry(ctx, 42)
