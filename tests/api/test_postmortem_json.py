"""The post-mortem in JSON for `Accept: application/json` (Markdown stays the default), its
state on the incident."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from warroom.clock import ManualClock

AS_JSON = {"Accept": "application/json"}


def declared_sev2(api: TestClient) -> str:
    body = {"title": "Checkout errors", "severity": 2, "services": ["api"]}
    return str(api.post("/api/v1/incidents", json=body).json()["reference"])


def resolve(api: TestClient, ref: str, **fields: str) -> None:
    body = {"resolution": "Rolled back release 4.2", **fields}
    response = api.post(f"/api/v1/incidents/{ref}/resolve", json=body)
    assert response.status_code == 200, response.text


def resolved_sev2(api: TestClient, clock: ManualClock, **fields: str) -> str:
    ref = declared_sev2(api)
    clock.advance(timedelta(minutes=5))
    api.post(f"/api/v1/incidents/{ref}/acknowledge", json={"person": "sre-lead"})
    clock.advance(timedelta(minutes=30))
    resolve(api, ref, **fields)
    return ref


def test_asked_for_json_the_postmortem_says_its_status_owner_and_dates(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved_sev2(api, clock)
    response = api.get(f"/api/v1/incidents/{ref}/postmortem", headers=AS_JSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["vary"] == "Accept"
    document: dict[str, Any] = response.json()
    assert {"status", "owner", "due_at", "published_at", "markdown"} <= set(document)
    assert document["status"] == "draft" and document["owner"] == "sre-lead"
    assert document["due_at"] == "2024-01-17T10:35:00Z"
    assert document["published_at"] is None
    assert document["markdown"].startswith(f"# Post-mortem: {ref}")


def test_without_asking_for_json_the_postmortem_is_markdown(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved_sev2(api, clock)
    path = f"/api/v1/incidents/{ref}/postmortem"
    for accept in ("*/*", "text/markdown", "text/html,application/xhtml+xml,*/*;q=0.8"):
        response = api.get(path, headers={"Accept": accept})
        assert response.headers["content-type"].startswith("text/markdown"), accept
    ranked_lower = api.get(path, headers={"Accept": "application/json;q=0.5, text/markdown"})
    assert ranked_lower.headers["content-type"].startswith("text/markdown")
    chosen_outright = api.get(path, params={"format": "md"}, headers=AS_JSON)
    assert chosen_outright.headers["content-type"].startswith("text/markdown")
    assert api.get(path, params={"format": "json"}).json()["status"] == "draft"


def test_a_published_postmortem_says_when_in_json(api: TestClient, clock: ManualClock) -> None:
    ref = resolved_sev2(api, clock)
    clock.advance(timedelta(hours=20))
    api.post(f"/api/v1/incidents/{ref}/postmortem/status", json={"status": "published"})
    document = api.get(f"/api/v1/incidents/{ref}/postmortem", headers=AS_JSON).json()
    assert document["status"] == "published"
    assert document["published_at"] == "2024-01-16T06:35:00Z"


def test_the_incident_carries_its_postmortem_from_resolution_on(
    api: TestClient, clock: ManualClock
) -> None:
    ref = declared_sev2(api)
    assert api.get(f"/api/v1/incidents/{ref}").json()["postmortem"] is None
    clock.advance(timedelta(minutes=35))
    resolve(api, ref)
    incident = api.get(f"/api/v1/incidents/{ref}").json()
    assert incident["postmortem"] == {
        "status": "draft",
        "owner": "sre-lead",
        "due_at": "2024-01-17T10:35:00Z",
    }


def test_a_drill_has_no_postmortem_on_the_incident(api: TestClient) -> None:
    body = {"title": "Game day", "severity": 1, "drill": True}
    ref = api.post("/api/v1/incidents", json=body).json()["reference"]
    resolve(api, ref)
    assert api.get(f"/api/v1/incidents/{ref}").json()["postmortem"] is None
