"""Every invalid request gets a 4xx JSON answer naming its field; a refusal writes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

INCIDENTS = "/api/v1/incidents"


def _declare(api: TestClient, severity: int = 1) -> str:
    answer = api.post(INCIDENTS, json={"title": "API down", "severity": severity})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["reference"])


def _error(answer: object, status: int) -> dict[str, object]:
    response = answer  # a httpx.Response
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    return dict(body["error"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "severity": 5}, "severity"),
        ({"title": "x", "severity": 0}, "severity"),
        ({"title": "", "severity": 1}, "title"),
        ({"title": "   ", "severity": 1}, "title"),
        ({"severity": 1}, "title"),
        ({"title": "x", "severity": "high"}, "severity"),
        ({"title": "x", "severity": 1, "services": ["mainframe"]}, "services"),
        ({"title": "x", "severity": 1, "at": "2099-01-01T00:00:00Z"}, "at"),
        ({"title": "x", "severity": 1, "at": "yesterday"}, "at"),
        ({"title": "x", "severity": 1, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_declaration_is_refused_naming_its_field(
    api: TestClient, body: dict[str, object], field: str
) -> None:
    error = _error(api.post(INCIDENTS, json=body), 422)
    assert error["field"] == field
    assert api.get(INCIDENTS, params={"status": "all"}).json() == []


def test_malformed_json_is_a_400(api: TestClient) -> None:
    answer = api.post(
        INCIDENTS,
        content=b'{"title": "x", "severity": ',
        headers={"Content-Type": "application/json"},
    )
    assert _error(answer, 400)["message"].startswith("malformed JSON")  # type: ignore[union-attr]


def test_a_status_move_the_playbook_forbids_is_refused(api: TestClient) -> None:
    ref = _declare(api)
    path = f"{INCIDENTS}/{ref}/status"
    assert _error(api.post(path, json={"status": "resolved"}), 409)["field"] == "status"
    assert _error(api.post(path, json={"status": "closed"}), 422)["field"] == "status"
    assert api.post(path, json={"status": "monitoring"}).status_code == 200
    assert _error(api.post(path, json={"status": "investigating"}), 422)["field"] == "note"
    timeline = api.get(f"{INCIDENTS}/{ref}/timeline").json()
    kinds = [e["kind"] for e in timeline if e["kind"] != "checklist_ticked"]
    assert kinds == ["declared", "status_changed"]


def test_acting_on_a_resolved_incident_is_a_conflict(api: TestClient) -> None:
    ref = _declare(api)
    assert api.post(f"{INCIDENTS}/{ref}/resolve", json={"resolution": "fixed"}).status_code == 200
    answer = api.post(f"{INCIDENTS}/{ref}/updates", json={"message": "more", "audience": "public"})
    assert "reopen" in str(_error(answer, 409)["message"])
    answer = api.post(f"{INCIDENTS}/{ref}/reopen", json={"reason": "errors back"})
    assert answer.json()["status"] == "investigating"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "scribe", "person": "sre-lead"}, "role"),
        ({"role": "technical_lead", "person": "nobody"}, "person"),
        ({"role": "technical_lead"}, "person"),
    ],
)
def test_an_unknown_role_or_person_is_refused(
    api: TestClient, body: dict[str, str], field: str
) -> None:
    ref = _declare(api)
    assert _error(api.post(f"{INCIDENTS}/{ref}/roles", json=body), 422)["field"] == field


def test_an_unknown_sme_is_refused_naming_the_known_ones(api: TestClient) -> None:
    ref = _declare(api)
    error = _error(api.post(f"{INCIDENTS}/{ref}/engage", json={"sme": "networking"}), 422)
    assert error["field"] == "sme"
    assert "database, security, infrastructure, application" in str(error["message"])


def test_assigning_an_sme_as_a_role_says_to_engage_it(api: TestClient) -> None:
    ref = _declare(api)
    body = {"role": "database", "person": "dba"}
    error = _error(api.post(f"{INCIDENTS}/{ref}/roles", json=body), 422)
    assert error["field"] == "role" and "engage" in str(error["message"])


def test_a_reference_that_does_not_exist_is_a_404(api: TestClient) -> None:
    for answer in (
        api.get(f"{INCIDENTS}/2024-01-15-999"),
        api.get(f"{INCIDENTS}/2024-01-15-999/timeline"),
        api.post(f"{INCIDENTS}/2024-01-15-999/acknowledge", json={}),
    ):
        assert _error(answer, 404)["field"] == "reference"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("severity", {"severity": 9, "reason": "x"}, "severity"),
        ("severity", {"severity": 2, "reason": ""}, "reason"),
        ("updates", {"message": "x", "audience": "everyone"}, "audience"),
        ("updates", {"message": "", "audience": "internal"}, "message"),
        ("attempts", {"action": "restart", "outcome": "maybe"}, "outcome"),
        ("impact", {"affected_users_pct": 140}, "affected_users_pct"),
        ("impact", {}, "affected_users_pct"),
        ("resolve", {}, "resolution"),
        ("acknowledge", {"person": "nobody"}, "person"),
    ],
)
def test_bad_incident_actions_name_their_field(
    api: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    ref = _declare(api)
    assert _error(api.post(f"{INCIDENTS}/{ref}/{path}", json=body), 422)["field"] == field


def test_an_unknown_message_template_is_refused(api: TestClient) -> None:
    ref = _declare(api)
    assert _error(api.get(f"{INCIDENTS}/{ref}/messages/farewell"), 422)["field"] == "kind"
