"""Every incident's JSON carries its war room (SPEC §3b): links, the playbook's resources,
the roles by name, the runbooks of its services, and its alerts with labels and links."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import fixture
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import war_room

AM = "/api/v1/integrations/alertmanager"


def alerted(api: TestClient, ctx: Context, payload: str) -> dict:
    """An Alertmanager payload posted and applied as the scheduler applies it; the incident."""
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    answer = api.post(AM, json=fixture(payload), headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 202, answer.text
    intake_queue.apply_all(ctx)
    [listed] = api.get("/api/v1/incidents").json()
    return api.get(f"/api/v1/incidents/{listed['reference']}").json()


def test_a_sev1_on_api_and_database_carries_its_links_resources_roles_and_runbooks(
    api: TestClient,
) -> None:
    body = {"title": "API down", "severity": 1, "services": ["api", "database"]}
    reference = api.post("/api/v1/incidents", json=body).json()["reference"]
    incident = api.get(f"/api/v1/incidents/{reference}").json()
    assert incident["links"] == {
        "chat": "#incident-2024-01-15-001",
        "video": "https://zoom.us/my/alchemorsel-incident-room",
        "status_page": "https://status.alchemorsel.com",
        "ui": "http://127.0.0.1:8080/ui/incidents/2024-01-15-001",
    }
    assert incident["resources"]["chat_backup"] == "Microsoft Teams"
    assert incident["resources"]["chat"] == "Slack #incidents"
    commander = incident["role_holders"][0]
    assert (commander["role"], commander["person"], commander["name"]) == (
        "incident_commander",
        "sre-lead",
        "SRE Team Lead",
    )
    assert [r["service"] for r in incident["runbooks"]] == ["api", "database"]
    commands = [c["command"] for s in incident["runbooks"][0]["sections"] for c in s["commands"]]
    assert "kubectl get pods -n alchemorsel -o wide" in commands
    assert (incident["alerts"], incident["alerts_total"]) == ([], 0)


def test_an_alerted_incident_lists_its_alerts_with_labels_annotations_and_links(
    api: TestClient, ctx: Context
) -> None:
    incident = alerted(api, ctx, "api-and-database-down.json")
    assert (incident["severity"], incident["services"]) == (1, ["api", "database"])
    assert incident["alerts_total"] == 2
    by_instance = {a["labels"]["instance"]: a for a in incident["alerts"]}
    api_alert = by_instance["api-7f9c:8080"]
    assert set(api_alert) == {
        "fingerprint", "title", "status", "labels", "annotations", "starts_at", "ends_at",
        "first_seen", "last_seen", "source", "links",
    }  # fmt: skip
    assert (api_alert["status"], api_alert["source"]) == ("firing", "alertmanager")
    assert api_alert["title"] == "APIDown: API answers 5xx"
    assert api_alert["annotations"]["description"] == "5xx ratio above 50% on api-7f9c:8080"
    assert api_alert["starts_at"] == "2024-01-15T09:58:30.512000Z"
    assert api_alert["ends_at"] is None
    assert api_alert["first_seen"] == api_alert["last_seen"] == "2024-01-15T10:00:00Z"
    links = api_alert["links"]
    assert links["generator"].startswith("http://prometheus.example.invalid:9090/graph")
    assert links["runbook"] == "https://runbooks.example.invalid/APIDown"
    assert links["dashboard"] == "https://grafana.example.invalid/d/api"
    silence = unquote(links["silence"])
    assert silence.startswith("http://alertmanager.example.invalid:9093/#/silences/new?filter=")
    assert 'instance="api-7f9c:8080"' in silence
    database_alert = by_instance["postgres-0:9187"]
    assert (database_alert["links"]["runbook"], database_alert["links"]["dashboard"]) == (
        None,
        None,
    )


def test_a_storm_s_incident_shows_its_newest_alerts_and_counts_them_all(
    api: TestClient, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(war_room, "ALERTS_SHOWN", 2)
    incident = alerted(api, ctx, "02-firing-group-of-3.json")
    assert (len(incident["alerts"]), incident["alerts_total"]) == (2, 3)


def test_the_war_room_fields_are_in_the_openapi_schema(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()["components"]["schemas"]
    detail = schema["IncidentDetail"]["properties"]
    assert {"links", "resources", "role_holders", "runbooks", "alerts", "alerts_total"} <= set(
        detail
    )
    assert "silence" in schema["AlertLinks"]["properties"]
