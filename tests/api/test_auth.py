"""Tokens: every route but health, metrics, status and ack links needs one, of the right role."""

from __future__ import annotations

from fastapi.testclient import TestClient

from warroom.service.context import Context
from warroom.service.tokens import revoke_token

INCIDENTS = "/api/v1/incidents"
DECLARE = {"title": "API down", "severity": 1}


def _as(client: TestClient, token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def test_no_token_is_a_401(app_client: TestClient) -> None:
    answer = app_client.get(INCIDENTS)
    assert answer.status_code == 401
    assert answer.json()["error"]["field"] == "token"


def test_an_unknown_token_is_a_401(app_client: TestClient) -> None:
    assert app_client.get(INCIDENTS, headers=_as(app_client, "wr_nope")).status_code == 401


def test_a_viewer_reads_but_cannot_declare(app_client: TestClient, tokens: dict[str, str]) -> None:
    viewer = _as(app_client, tokens["viewer"])
    assert app_client.get(INCIDENTS, headers=viewer).status_code == 200
    answer = app_client.post(INCIDENTS, json=DECLARE, headers=viewer)
    assert answer.status_code == 403
    assert "responder" in answer.json()["error"]["message"]


def test_responders_and_admins_act_on_incidents(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    for role in ("responder", "admin"):
        answer = app_client.post(INCIDENTS, json=DECLARE, headers=_as(app_client, tokens[role]))
        assert answer.status_code == 201
        assert answer.json()["reference"].startswith("2024-01-15-")


def test_the_timeline_names_the_token_that_acted(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    headers = _as(app_client, tokens["responder"])
    ref = app_client.post(INCIDENTS, json=DECLARE, headers=headers).json()["reference"]
    events = app_client.get(f"{INCIDENTS}/{ref}/timeline", headers=headers).json()
    assert events[0]["actor"] == "responder-token"


def test_a_revoked_token_stops_working(
    app_client: TestClient, tokens: dict[str, str], ctx: Context
) -> None:
    ctx.transact(revoke_token, "viewer-token")
    assert app_client.get(INCIDENTS, headers=_as(app_client, tokens["viewer"])).status_code == 401


def test_tokens_are_stored_hashed(ctx: Context, tokens: dict[str, str]) -> None:
    from sqlalchemy import select

    from warroom.store.models import ApiToken

    with ctx.db.unit_of_work() as session:
        stored = set(session.execute(select(ApiToken.token_hash)).scalars())
    assert not stored & set(tokens.values())
