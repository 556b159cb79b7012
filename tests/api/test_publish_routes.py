"""POST /api/v1/incidents/{ref}/publish: authenticated like every incident action, and the
first public update of an unpublished incident asks for its public title."""

from __future__ import annotations

from fastapi.testclient import TestClient

INCIDENTS = "/api/v1/incidents"


def _declare(api: TestClient) -> str:
    answer = api.post(INCIDENTS, json={"title": "redis-2 evictions", "severity": 2})
    return str(answer.json()["reference"])


def test_a_responder_publishes_with_a_public_title_and_a_first_message(api: TestClient) -> None:
    reference = _declare(api)
    body = {"public_title": "Slow pages", "message": "We are looking into it."}
    answer = api.post(f"{INCIDENTS}/{reference}/publish", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["public_title"] == "Slow pages"
    assert answer.json()["published_at"] == "2024-01-15T10:00:00Z"
    timeline = api.get(f"{INCIDENTS}/{reference}/timeline").json()
    kinds = [e["kind"] for e in timeline if e["kind"] != "checklist_ticked"]
    assert kinds == ["declared", "published", "update_posted"]
    [shown] = api.get("/api/v2/incidents/unresolved.json").json()["incidents"]
    assert shown["name"] == "Slow pages"


def test_publishing_without_a_public_title_names_the_field(api: TestClient) -> None:
    answer = api.post(f"{INCIDENTS}/{_declare(api)}/publish", json={"message": "hi"})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "public_title"


def test_the_first_public_update_without_a_public_title_names_the_field(api: TestClient) -> None:
    body = {"message": "We are on it", "audience": "public"}
    answer = api.post(f"{INCIDENTS}/{_declare(api)}/updates", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "public_title"


def test_the_first_public_update_with_a_public_title_publishes(api: TestClient) -> None:
    reference = _declare(api)
    body = {"message": "We are on it", "audience": "public", "public_title": "Slow pages"}
    answer = api.post(f"{INCIDENTS}/{reference}/updates", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["public_title"] == "Slow pages"


def test_publishing_twice_is_a_conflict(api: TestClient) -> None:
    reference = _declare(api)
    path = f"{INCIDENTS}/{reference}/publish"
    assert api.post(path, json={"public_title": "Slow pages"}).status_code == 200
    assert api.post(path, json={"public_title": "Slow pages"}).status_code == 409


def test_publishing_needs_a_responder_token(app_client: TestClient, tokens: dict[str, str]) -> None:
    app_client.headers["Authorization"] = f"Bearer {tokens['responder']}"
    reference = _declare(app_client)
    path = f"{INCIDENTS}/{reference}/publish"
    body = {"public_title": "Slow pages"}
    assert app_client.post(path, json=body, headers={"Authorization": ""}).status_code == 401
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    assert app_client.post(path, json=body, headers=viewer).status_code == 403
    assert app_client.get("/api/v2/incidents.json").json()["incidents"] == []


def test_publishing_an_unknown_incident_is_not_found(api: TestClient) -> None:
    answer = api.post(f"{INCIDENTS}/2024-01-15-999/publish", json={"public_title": "x"})
    assert answer.status_code == 404
