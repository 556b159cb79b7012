"""Issue 18's probe: an incident is invisible to the public until someone publishes it.

An unpublished incident leaves no trace on any public route, HTML, JSON or feed: not its
title, not its reference, not the components it affects, not even that there is one.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.test_status_routes import PUBLIC_ROUTES
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import reading

INCIDENTS = "/api/v1/incidents"
HOSTS = "db-prod-7.internal 10.0.3.4"


def _public(client: TestClient) -> dict[str, str]:
    return {route: client.get(route).text for route in PUBLIC_ROUTES}


def _declare(api: TestClient, title: str = f"Disk full on {HOSTS}", severity: int = 1) -> str:
    body = {"title": title, "severity": severity, "services": ["api", "payments"]}
    answer = api.post(INCIDENTS, json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["reference"])


def _assert_no_trace(client: TestClient, *secrets: str) -> None:
    for route, text in _public(client).items():
        for secret in secrets:
            assert secret not in text, (route, secret)
    summary = client.get("/api/v2/summary.json").json()
    assert summary["status"]["indicator"] == "none"
    assert summary["incidents"] == []
    assert {c["status"] for c in summary["components"]} == {"operational"}
    assert client.get("/api/v2/incidents.json").json()["incidents"] == []
    assert client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []
    assert "<entry" not in client.get("/status/feed.atom").text


def test_a_worked_unpublished_incident_leaves_no_trace_on_any_public_route(
    api: TestClient,
) -> None:
    before = _public(api)
    reference = _declare(api)
    path = f"{INCIDENTS}/{reference}"
    for action, body in (
        ("acknowledge", {"person": "sre-lead"}),
        ("updates", {"message": "internal: disk at 100%", "audience": "internal"}),
        ("status", {"status": "mitigating"}),
        ("severity", {"severity": 2, "reason": "only some writes fail"}),
    ):
        assert api.post(f"{path}/{action}", json=body).status_code in (200, 201), action
    _assert_no_trace(api, HOSTS, "db-prod-7", reference)
    assert api.post(f"{path}/resolve", json={"resolution": "freed space"}).status_code == 200
    _assert_no_trace(api, HOSTS, "db-prod-7", reference)
    assert (
        _public(api)["/api/v2/scheduled-maintenances.json"]
        == (before["/api/v2/scheduled-maintenances.json"])
    )


def test_a_public_update_without_a_public_title_is_refused_and_publishes_nothing(
    api: TestClient,
) -> None:
    reference = _declare(api)
    body = {"message": "We are looking into it", "audience": "public"}
    answer = api.post(f"{INCIDENTS}/{reference}/updates", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "public_title"
    _assert_no_trace(api, HOSTS, reference, "We are looking into it")


def test_an_incident_opened_by_an_alert_stays_private_with_its_host_names(
    ctx: Context, app_client: TestClient
) -> None:
    key = ctx.transact(integration_keys.create_integration, "generic", "probe")
    alert = {"title": f"High latency on {HOSTS}", "severity": "critical", "service": "api"}
    answer = app_client.post(
        "/api/v1/integrations/generic", json=alert, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 202, answer.text
    intake_queue.apply_all(ctx)
    [incident] = ctx.read(reading.list_incidents, status="all")
    assert incident.published_at is None
    _assert_no_trace(app_client, HOSTS, incident.reference)


def test_once_published_only_the_public_title_shows_never_the_internal_one(
    api: TestClient,
) -> None:
    reference = _declare(api)
    body = {"public_title": "Checkout is failing for some customers", "message": "On it."}
    answer = api.post(f"{INCIDENTS}/{reference}/publish", json=body)
    assert answer.status_code == 200, answer.text
    pages = _public(api)
    for route, text in pages.items():
        assert HOSTS not in text and "db-prod-7" not in text, route
    for route in ("/status", "/status/feed.atom", "/api/v2/incidents/unresolved.json"):
        assert "Checkout is failing for some customers" in pages[route], route
    assert api.get("/api/v2/status.json").json()["status"]["indicator"] == "critical"


@pytest.mark.parametrize("severity", [1, 2, 3, 4])
def test_no_severity_is_public_by_default(api: TestClient, severity: int) -> None:
    reference = _declare(api, severity=severity)
    _assert_no_trace(api, HOSTS, reference)
