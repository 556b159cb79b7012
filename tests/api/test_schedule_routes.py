"""The schedule routes of SPEC §8: who is on call, the shifts, and overrides that are kept
with who made and who deleted them; bad overrides refused naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.schedule_playbook import new_york, scheduled_playbook
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.session import Database

SCHEDULES = "/api/v1/schedules"
OVERRIDES = f"{SCHEDULES}/sre-oncall/overrides"


@pytest.fixture
def ctx(db: Database, clock: ManualClock, settings: Settings) -> Context:
    clock.set(new_york("2024-01-15T08:00"))  # devops-lead's week; lead-developer's at 09:00
    return Context(db=db, playbook=scheduled_playbook(), clock=clock, settings=settings)


def _iso(text: str) -> str:
    return new_york(text).isoformat().replace("+00:00", "Z")


def test_the_schedules_list_says_who_is_on_call_now_and_what_names_it(api: TestClient) -> None:
    [listed] = api.get(SCHEDULES).json()
    assert listed["id"] == "sre-oncall" and listed["timezone"] == "America/New_York"
    assert listed["used_by"] == ["roles.incident_commander.primary", "levels.team_lead"]
    assert listed["on_call"]["person"] == "devops-lead"
    assert listed["on_call"]["until"] == _iso("2024-01-15T09:00")


def test_oncall_at_a_moment_names_the_person_since_and_until(api: TestClient) -> None:
    found = api.get(f"{SCHEDULES}/sre-oncall/oncall", params={"at": _iso("2024-01-20T12:00")})
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["person"], body["since"], body["until"]) == (
        "lead-developer",
        _iso("2024-01-15T09:00"),
        _iso("2024-01-22T09:00"),
    )


def test_shifts_are_contiguous_with_an_override_applied(api: TestClient) -> None:
    created = api.post(
        OVERRIDES,
        json={
            "person": "eng-manager",
            "start": _iso("2024-01-16T00:00"),
            "end": _iso("2024-01-17T00:00"),
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["created_by"] == "responder-token"
    window = {"from": _iso("2024-01-15T00:00"), "to": _iso("2024-01-23T00:00")}
    shifts = api.get(f"{SCHEDULES}/sre-oncall/shifts", params=window).json()
    assert [(s["person"], s["start"]) for s in shifts] == [
        ("devops-lead", _iso("2024-01-15T00:00")),
        ("lead-developer", _iso("2024-01-15T09:00")),
        ("eng-manager", _iso("2024-01-16T00:00")),
        ("lead-developer", _iso("2024-01-17T00:00")),
        ("sre-lead", _iso("2024-01-22T09:00")),
    ]
    assert shifts[-1]["end"] == window["to"]


def test_a_deleted_override_no_longer_applies_and_keeps_who_deleted_it(api: TestClient) -> None:
    made = api.post(
        OVERRIDES,
        json={"person": "cto", "start": _iso("2024-01-15T07:00"), "end": _iso("2024-01-15T10:00")},
    ).json()
    assert api.get(f"{SCHEDULES}/sre-oncall/oncall").json()["person"] == "cto"
    deleted = api.delete(f"{OVERRIDES}/{made['id']}")
    assert deleted.status_code == 200, deleted.text
    assert (deleted.json()["deleted_by"], deleted.json()["deleted_at"]) == (
        "responder-token",
        _iso("2024-01-15T08:00"),
    )
    assert api.get(f"{SCHEDULES}/sre-oncall/oncall").json()["person"] == "devops-lead"
    assert api.get(OVERRIDES).json() == []
    assert api.delete(f"{OVERRIDES}/999").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person": "cto", "start": "2024-01-16T10:00Z", "end": "2024-01-16T09:00Z"}, "end"),
        ({"person": "nobody", "start": "2024-01-16T09:00Z", "end": "2024-01-16T10:00Z"}, "person"),
        ({"person": "cto", "start": "2024-01-16T09:00", "end": "2024-01-16T10:00Z"}, "start"),
    ],
)
def test_a_bad_override_is_refused_naming_the_field(
    api: TestClient, body: dict[str, str], field: str
) -> None:
    refused = api.post(OVERRIDES, json=body)
    assert refused.status_code == 422, refused.text
    assert field in str(refused.json()["error"]["field"])


def test_an_unknown_schedule_is_404_and_a_viewer_cannot_make_overrides(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    app_client.headers["Authorization"] = f"Bearer {tokens['viewer']}"
    assert app_client.get(f"{SCHEDULES}/nope/oncall").status_code == 404
    body = {"person": "cto", "start": "2024-01-16T09:00Z", "end": "2024-01-16T10:00Z"}
    assert app_client.post(OVERRIDES, json=body).status_code == 403


def test_a_span_of_shifts_too_wide_or_backwards_is_refused_naming_to(api: TestClient) -> None:
    path = f"{SCHEDULES}/sre-oncall/shifts"
    backwards = api.get(path, params={"from": "2024-02-01T00:00Z", "to": "2024-01-01T00:00Z"})
    wide = api.get(path, params={"from": "2024-01-01T00:00Z", "to": "2024-12-01T00:00Z"})
    assert [(r.status_code, r.json()["error"]["field"]) for r in (backwards, wide)] == [
        (422, "to"),
        (422, "to"),
    ]
