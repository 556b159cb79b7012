"""The incident routes of SPEC §4 against the seed playbook."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_sev1_is_declared_with_the_reference_and_channel_of_its_day(api: TestClient) -> None:
    answer = api.post("/api/v1/incidents", json={"title": "API down", "severity": 1})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["reference"] == "2024-01-15-001"
    assert body["channel"] == "incident-2024-01-15-001"
    assert body["status"] == "investigating"
    assert body["roles"]["incident_commander"] == "sre-lead"
    second = api.post("/api/v1/incidents", json={"title": "Login slow", "severity": 2}).json()
    assert second["reference"] == "2024-01-15-002"
