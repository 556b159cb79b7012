"""Titles up to 500 characters, every other text up to 10,000; `at` from 1970 to now + 5
minutes. Anything beyond is a 422 naming the field, through the API and the UI alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.ui_client import sign_in
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing, reading

INCIDENTS = "/api/v1/incidents"
LONG = "x" * 10_001


def _declare(api: TestClient) -> str:
    answer = api.post(INCIDENTS, json={"title": "API down", "severity": 1})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["reference"])


def _field(answer: object, status: int = 422) -> object:
    response = answer  # a httpx.Response
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    return response.json()["error"]["field"]  # type: ignore[attr-defined]


def test_a_title_of_501_characters_is_refused_and_500_accepted(api: TestClient) -> None:
    assert _field(api.post(INCIDENTS, json={"title": "t" * 501, "severity": 1})) == "title"
    assert api.post(INCIDENTS, json={"title": "t" * 500, "severity": 1}).status_code == 201


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("updates", {"message": LONG}, "message"),
        ("updates", {"message": "ok", "next_steps": LONG}, "next_steps"),
        ("attempts", {"action": LONG, "outcome": "failed"}, "action"),
        ("attempts", {"action": "ok", "outcome": "failed", "hypothesis": LONG}, "hypothesis"),
        ("impact", {"business_impact": LONG}, "business_impact"),
        ("status", {"status": "monitoring", "note": LONG}, "note"),
        ("resolve", {"resolution": LONG}, "resolution"),
        ("resolve", {"resolution": "ok", "root_cause": LONG}, "root_cause"),
    ],
)
def test_a_text_over_10000_characters_is_refused_naming_it(
    api: TestClient, path: str, body: dict[str, str], field: str
) -> None:
    ref = _declare(api)
    declared = api.get(f"{INCIDENTS}/{ref}/timeline").json()
    assert _field(api.post(f"{INCIDENTS}/{ref}/{path}", json=body)) == field
    assert api.get(f"{INCIDENTS}/{ref}/timeline").json() == declared


def test_a_summary_of_10000_characters_is_accepted(api: TestClient) -> None:
    body = {"title": "API down", "severity": 1, "summary": "s" * 10_000}
    assert api.post(INCIDENTS, json=body).status_code == 201
    assert _field(api.post(INCIDENTS, json={**body, "summary": LONG})) == "summary"


def test_an_action_item_title_and_a_postmortem_section_are_bounded(api: TestClient) -> None:
    ref = _declare(api)
    item = {"title": "t" * 501, "owner": "sre-lead", "due": "14d"}
    assert _field(api.post(f"{INCIDENTS}/{ref}/action-items", json=item)) == "title"
    section = f"{INCIDENTS}/{ref}/postmortem/sections/Lessons Learned"
    assert _field(api.put(section, json={"text": LONG})) == "text"


def test_the_service_refuses_a_long_update_whatever_the_adapter(ctx: Context) -> None:
    ref = ctx.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="cli"
    ).reference
    with pytest.raises(Exception, match="at most 10000") as refused:
        ctx.transact(publishing.post_update, ref, message=LONG, audience="internal", actor="cli")
    assert getattr(refused.value, "field", None) == "message"


def test_a_ui_update_over_10000_characters_comes_back_as_a_problem(
    app_client: TestClient, tokens: dict[str, str], ctx: Context
) -> None:
    ref = ctx.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="cli"
    ).reference
    csrf = sign_in(app_client, tokens["responder"])
    declared = ctx.read(reading.get_timeline, ref)
    answer = app_client.post(
        f"/ui/incidents/{ref}/update",
        data={"csrf": csrf, "message": LONG, "audience": "internal"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "problem=" in answer.headers["location"]
    assert ctx.read(reading.get_timeline, ref) == declared


@pytest.mark.parametrize(
    "at",
    ["0999-06-01T00:00:00Z", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"],
)
def test_an_at_before_1970_is_refused_naming_at(api: TestClient, at: str) -> None:
    answer = api.post(INCIDENTS, json={"title": "API down", "severity": 1, "at": at})
    assert _field(answer) == "at"
    assert api.get(INCIDENTS, params={"status": "all"}).json() == []


def test_an_at_up_to_5_minutes_ahead_is_accepted_and_beyond_refused(
    api: TestClient, clock: ManualClock
) -> None:
    ahead = (clock.now() + timedelta(minutes=4)).isoformat()
    assert api.post(INCIDENTS, json={"title": "a", "severity": 1, "at": ahead}).status_code == 201
    beyond = (clock.now() + timedelta(minutes=6)).isoformat()
    assert _field(api.post(INCIDENTS, json={"title": "b", "severity": 1, "at": beyond})) == "at"


@pytest.mark.parametrize(
    "content",
    [b'{"message": "nul \\u0000 here"}', b'{"message": "lone \\ud800 surrogate"}'],
    ids=["NUL", "lone surrogate"],
)
def test_text_no_database_can_store_is_refused_at_the_door_naming_it(
    api: TestClient, content: bytes
) -> None:
    ref = _declare(api)
    answer = api.post(
        f"{INCIDENTS}/{ref}/updates", content=content, headers={"Content-Type": "application/json"}
    )
    assert _field(answer) == "message"
