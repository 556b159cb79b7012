"""The public status page (SPEC §6): Statuspage v2 JSON shapes, the HTML page, the Atom
feed, escaping, and nothing internal ever reaching a public route."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import investigation, publishing
from warroom.service.incidents import lifecycle as incidents

PUBLIC_ROUTES = (
    "/status",
    "/status/feed.atom",
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)
PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description",
    "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
    "impact", "shortlink", "started_at", "page_id", "incident_updates", "components",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
    "affected_components", "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip


def _sev1(ctx: Context, **extra: object) -> str:
    """A Sev1 published under the title it was declared with."""
    declared = incidents.Declaration(
        title="Checkout down", severity=1, services=["api", "payments"], **extra
    )
    reference = ctx.transact(incidents.declare, declared, actor="test").reference
    ctx.transact(publishing.publish, reference, public_title="Checkout down", actor="test")
    return reference


def test_an_empty_database_shows_all_systems_operational(app_client: TestClient) -> None:
    summary = app_client.get("/api/v2/summary.json").json()
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(summary["page"]) == PAGE_KEYS
    assert summary["page"]["name"] == "Alchemorsel Status"
    assert summary["page"]["url"] == "https://status.alchemorsel.com"
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert [c["id"] for c in summary["components"]][:2] == ["api", "web"]
    assert all(set(c) == COMPONENT_KEYS for c in summary["components"])
    assert {c["status"] for c in summary["components"]} == {"operational"}
    assert summary["incidents"] == [] and summary["scheduled_maintenances"] == []
    for route in PUBLIC_ROUTES:
        answer = app_client.get(route)
        assert answer.status_code == 200, route
    page = app_client.get("/status")
    assert page.headers["content-type"].startswith("text/html")
    assert "All Systems Operational" in page.text
    assert 'name="viewport"' in page.text and "<script" not in page.text


def test_a_sev1_on_the_api_is_a_major_outage_and_a_critical_page(
    ctx: Context, app_client: TestClient, clock: ManualClock
) -> None:
    reference = _sev1(ctx)
    clock.advance(timedelta(minutes=5))
    ctx.transact(
        publishing.post_update,
        reference,
        message="We are looking into it",
        audience="public",
        actor="test",
    )
    ctx.transact(incidents.change_status, reference, status="mitigating", actor="test")
    summary = app_client.get("/api/v2/summary.json").json()
    assert summary["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    statuses = {c["id"]: c["status"] for c in summary["components"]}
    assert statuses["api"] == statuses["payments"] == "major_outage"
    assert statuses["web"] == "operational"
    [incident] = summary["incidents"]
    assert set(incident) == INCIDENT_KEYS
    assert incident["id"] == reference and incident["name"] == "Checkout down"
    assert incident["status"] == "identified" and incident["impact"] == "critical"
    assert incident["started_at"] == "2024-01-15T10:00:00.000Z"
    [update] = incident["incident_updates"]
    assert set(update) == UPDATE_KEYS
    assert update["body"] == "We are looking into it" and update["status"] == "investigating"
    assert [c["id"] for c in incident["components"]] == ["api", "payments"]


def test_a_resolved_incident_leaves_the_unresolved_list_and_the_page_operational(
    ctx: Context, app_client: TestClient, clock: ManualClock
) -> None:
    reference = _sev1(ctx)
    clock.advance(timedelta(minutes=10))
    ctx.transact(publishing.post_update, reference, message="First", audience="public", actor="t")
    clock.advance(timedelta(minutes=10))
    ctx.transact(incidents.change_status, reference, status="monitoring", actor="t")
    ctx.transact(publishing.post_update, reference, message="Second", audience="public", actor="t")
    clock.advance(timedelta(minutes=10))
    ctx.transact(incidents.resolve, reference, resolution="rolled back", actor="t")
    assert app_client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []
    [incident] = app_client.get("/api/v2/incidents.json").json()["incidents"]
    assert incident["status"] == "resolved"
    assert incident["resolved_at"] == "2024-01-15T10:30:00.000Z"
    assert incident["monitoring_at"] == "2024-01-15T10:20:00.000Z"
    bodies = [u["body"] for u in incident["incident_updates"]]
    assert bodies == ["This incident has been resolved.", "Second", "First"]
    assert app_client.get("/api/v2/status.json").json()["status"]["indicator"] == "none"
    page = app_client.get("/status").text
    assert "Checkout down" in page and "All Systems Operational" in page


def test_drill_incidents_never_appear(ctx: Context, app_client: TestClient) -> None:
    ctx.transact(
        incidents.declare,
        incidents.Declaration(title="Game day drill", severity=1, services=["api"], drill=True),
        actor="t",
    )
    for route in PUBLIC_ROUTES:
        assert "Game day drill" not in app_client.get(route).text, route
    assert app_client.get("/api/v2/status.json").json()["status"]["indicator"] == "none"


def test_html_in_a_public_update_is_shown_as_text(ctx: Context, app_client: TestClient) -> None:
    reference = _sev1(ctx)
    ctx.transact(
        publishing.post_update,
        reference,
        message="<script>alert(1)</script> & more",
        audience="public",
        actor="t",
    )
    page = app_client.get("/status").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    feed = app_client.get("/status/feed.atom")
    assert "<script>" not in feed.text
    root = ElementTree.fromstring(feed.content)
    namespace = {"a": "http://www.w3.org/2005/Atom"}
    contents = [e.text for e in root.findall("a:entry/a:content", namespace)]
    assert "<script>alert(1)</script> & more" in contents
    summary = app_client.get("/api/v2/summary.json").json()
    assert summary["incidents"][0]["incident_updates"][0]["body"].startswith("<script>")


MARKER = "ZQX-SECRET-7731"


def test_nothing_internal_ever_reaches_a_public_route(
    ctx: Context, app_client: TestClient, clock: ManualClock
) -> None:
    reference = ctx.transact(
        incidents.declare,
        incidents.Declaration(
            title="Login errors", severity=2, services=["auth"], summary=f"summary {MARKER}"
        ),
        actor=f"actor-{MARKER}",
    ).reference
    ctx.transact(incidents.acknowledge, reference, actor=f"ack-{MARKER}", person="sre-lead")
    ctx.transact(incidents.assign_role, reference, role="technical_lead", person="dba", actor="t")
    ctx.transact(
        publishing.post_update,
        reference,
        message=f"internal {MARKER}",
        audience="internal",
        actor="t",
    )
    ctx.transact(
        investigation.record_attempt,
        reference,
        action=f"restart {MARKER}",
        hypothesis=f"hyp {MARKER}",
        outcome="failed",
        actor="t",
    )
    ctx.transact(
        investigation.assess_impact,
        reference,
        affected_users_pct=77.4321,
        business_impact=f"revenue {MARKER}",
        actor="t",
    )
    ctx.transact(
        incidents.change_status, reference, status="mitigating", note=f"note {MARKER}", actor="t"
    )
    ctx.transact(
        publishing.post_update,
        reference,
        message="We are on it",
        audience="public",
        public_title="Sign-in problems",
        actor="t",
    )
    clock.advance(timedelta(minutes=30))
    ctx.transact(
        incidents.resolve,
        reference,
        resolution=f"fix {MARKER}",
        root_cause=f"cause {MARKER}",
        actor="t",
    )
    ctx.transact(incidents.reopen, reference, reason=f"reopen {MARKER}", actor="t")
    people = [p.name for p in ctx.playbook.people.values()]
    for route in PUBLIC_ROUTES:
        text = app_client.get(route).text
        assert MARKER not in text, route
        assert "Login errors" not in text, route  # the internal title
        assert "77.4321" not in text and "77.43" not in text, route
        for name in people:
            assert name not in text, (route, name)
    page = app_client.get("/status").text
    assert "We are on it" in page and "Sign-in problems" in page


def test_a_manual_override_wins_until_it_expires(
    ctx: Context, api: TestClient, clock: ManualClock
) -> None:
    answer = api.post(
        "/api/v1/components/cdn/override",
        json={"status": "degraded_performance", "for": "2h", "reason": "vendor issue"},
    )
    assert answer.status_code == 201, answer.text
    summary = api.get("/api/v2/summary.json").json()
    assert {c["id"]: c["status"] for c in summary["components"]}["cdn"] == "degraded_performance"
    assert summary["status"]["indicator"] == "minor"
    listed = {c["id"]: c for c in api.get("/api/v1/components").json()}
    assert listed["cdn"]["override"]["status"] == "degraded_performance"
    clock.advance(timedelta(hours=2, seconds=1))
    summary = api.get("/api/v2/summary.json").json()
    assert summary["status"]["indicator"] == "none"


def test_clearing_an_override_gives_the_component_back_to_its_incidents(
    ctx: Context, api: TestClient
) -> None:
    _sev1(ctx)
    api.post("/api/v1/components/api/override", json={"status": "operational", "for": "1h"})
    assert api.get("/api/v2/components.json").json()["components"][0]["status"] == "operational"
    assert api.delete("/api/v1/components/api/override").status_code == 204
    assert api.get("/api/v2/components.json").json()["components"][0]["status"] == "major_outage"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/components/nope/override", {"status": "operational", "for": "1h"}, "component"),
        ("/api/v1/components/api/override", {"status": "down", "for": "1h"}, "status"),
        ("/api/v1/components/api/override", {"status": "operational", "for": "soon"}, "for"),
        ("/api/v1/components/api/override", {"status": "operational"}, "until"),
        (
            "/api/v1/maintenances",
            {"title": "x", "starts_at": "2024-01-15T12:00:00Z", "ends_at": "2024-01-15T11:00:00Z"},
            "ends_at",
        ),
        (
            "/api/v1/maintenances",
            {
                "title": "x",
                "starts_at": "2024-01-15T12:00:00Z",
                "ends_at": "2024-01-15T13:00:00Z",
                "components": ["nope"],
            },
            "components",
        ),
    ],
)
def test_bad_status_page_input_is_refused_naming_the_field(
    api: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    answer = api.post(path, json=body)
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["error"]["field"] == field


def test_managing_the_status_page_needs_a_responder_token(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    app_client.headers["Authorization"] = f"Bearer {tokens['viewer']}"
    answer = app_client.post(
        "/api/v1/components/api/override", json={"status": "operational", "for": "1h"}
    )
    assert answer.status_code == 403


def test_a_maintenance_window_is_shown_ahead_and_puts_components_under_maintenance(
    api: TestClient, clock: ManualClock
) -> None:
    body = {
        "title": "Database upgrade",
        "starts_at": "2024-01-15T12:00:00Z",
        "ends_at": "2024-01-15T13:00:00Z",
        "components": ["database"],
        "message": "Expect brief read-only periods.",
    }
    assert api.post("/api/v1/maintenances", json=body).status_code == 201
    summary = api.get("/api/v2/summary.json").json()
    [window] = summary["scheduled_maintenances"]
    assert window["status"] == "scheduled" and window["impact"] == "maintenance"
    assert window["scheduled_for"] == "2024-01-15T12:00:00.000Z"
    assert window["scheduled_until"] == "2024-01-15T13:00:00.000Z"
    assert "Database upgrade" in api.get("/status").text
    upcoming = api.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert len(upcoming["scheduled_maintenances"]) == 1
    clock.advance(timedelta(hours=2, minutes=30))
    summary = api.get("/api/v2/summary.json").json()
    assert summary["scheduled_maintenances"][0]["status"] == "in_progress"
    database = {c["id"]: c["status"] for c in summary["components"]}["database"]
    assert database == "under_maintenance"
    assert summary["status"]["indicator"] == "maintenance"
    clock.advance(timedelta(hours=1))
    summary = api.get("/api/v2/summary.json").json()
    assert summary["scheduled_maintenances"] == []
    everything = api.get("/api/v2/scheduled-maintenances.json").json()
    assert everything["scheduled_maintenances"][0]["status"] == "completed"
