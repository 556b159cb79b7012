"""The checklist routes of SPEC §3b: the incident carries its checklist, a responder ticks
and unticks one item, every tick on the timeline."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

INCIDENTS = "/api/v1/incidents"
ITEM_FIELDS = {"id", "phase", "text", "done", "done_by", "done_at", "automatic"}


def declare(api: TestClient) -> str:
    answer = api.post(INCIDENTS, json={"title": "Checkout errors", "severity": 2})
    reference: str = answer.json()["reference"]
    return reference


def by_id(listed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in listed}


def test_the_incident_json_carries_its_checklist_as_items_in_the_playbooks_order(
    api: TestClient,
) -> None:
    ref = declare(api)
    checklist = api.get(f"{INCIDENTS}/{ref}").json()["checklist"]
    assert {frozenset(item) for item in checklist} == {frozenset(ITEM_FIELDS)}
    assert [item["id"] for item in checklist][:3] == [
        "create-incident",
        "assess-severity",
        "page-team",
    ]
    created = checklist[0]
    assert created["phase"] == "declaration" and created["done"] is True
    assert (created["done_by"], created["done_at"]) == ("warroom", "2024-01-15T10:00:00Z")
    assert api.get(f"{INCIDENTS}/{ref}/checklist").json() == checklist


def test_a_responder_ticks_an_item_and_unticks_it_and_the_timeline_says_so(
    api: TestClient,
) -> None:
    ref = declare(api)
    ticked = api.post(f"{INCIDENTS}/{ref}/checklist/start-video", json={"done": True})
    assert ticked.status_code == 200, ticked.text
    video = by_id(ticked.json())["start-video"]
    assert (video["done"], video["done_by"], video["automatic"]) == (True, "responder-token", False)
    unticked = api.post(f"{INCIDENTS}/{ref}/checklist/start-video", json={"done": False}).json()
    assert by_id(unticked)["start-video"]["done"] is False
    timeline = api.get(f"{INCIDENTS}/{ref}/timeline").json()
    video_ticks = [
        e["data"]["done"]
        for e in timeline
        if e["kind"] == "checklist_ticked" and e["data"]["id"] == "start-video"
    ]
    assert video_ticks == [True, False]


def test_a_post_with_no_body_ticks_the_item(api: TestClient) -> None:
    ref = declare(api)
    listed = api.post(f"{INCIDENTS}/{ref}/checklist/join-channel").json()
    assert by_id(listed)["join-channel"]["done"] is True


def test_a_viewer_reads_the_checklist_but_ticks_nothing(
    app_client: TestClient, api: TestClient, tokens: dict[str, str]
) -> None:
    ref = declare(api)
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    assert app_client.get(f"{INCIDENTS}/{ref}/checklist", headers=viewer).status_code == 200
    refused = app_client.post(f"{INCIDENTS}/{ref}/checklist/join-channel", headers=viewer)
    assert refused.status_code == 403


def test_an_unknown_item_or_incident_is_refused_as_the_other_routes_refuse(
    api: TestClient,
) -> None:
    ref = declare(api)
    unknown = api.post(f"{INCIDENTS}/{ref}/checklist/make-coffee", json={"done": True})
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["field"] == "id" and "page-team" in error["message"]
    missing = api.post(f"{INCIDENTS}/2024-01-15-999/checklist/page-team", json={"done": True})
    assert missing.status_code == 404
    assert api.get(f"{INCIDENTS}/2024-01-15-999/checklist").status_code == 404
    extra = api.post(f"{INCIDENTS}/{ref}/checklist/page-team", json={"done": True, "by": "me"})
    assert extra.status_code == 422


def test_the_checklist_routes_are_in_the_openapi_document(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/incidents/{reference}/checklist"]
    assert "post" in paths["/api/v1/incidents/{reference}/checklist/{item_id}"]
