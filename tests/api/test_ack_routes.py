"""Acknowledgement links and the pages of an incident, through HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from warroom.clock import ManualClock
from warroom.core.ack_links import make_token
from warroom.service.context import Context
from warroom.store.models import OutboxMessage


def _declare(api: TestClient, severity: int = 1) -> str:
    response = api.post("/api/v1/incidents", json={"title": "Checkout down", "severity": severity})
    assert response.status_code == 201
    return str(response.json()["reference"])


def _link_for(ctx: Context, person: str) -> str:
    with ctx.db.unit_of_work() as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.person == person))
        body = next(iter(rows.scalars())).body
    match = re.search(r"/ack/(\S+)", body)
    assert match, body
    return f"/ack/{match.group(1)}"


def test_opening_an_ack_link_shows_a_confirm_page_and_acknowledges_nothing(
    api: TestClient, ctx: Context
) -> None:
    ref = _declare(api)
    page = api.get(_link_for(ctx, "sre-lead"))
    assert page.status_code == 200
    assert "<form method='post'>" in page.text and ref in page.text
    assert api.get(f"/api/v1/incidents/{ref}").json()["acknowledged_at"] is None


def test_posting_an_ack_link_acknowledges_the_page_and_the_incident_once(
    api: TestClient, ctx: Context
) -> None:
    ref = _declare(api)
    link = _link_for(ctx, "backend-lead")
    assert api.post(link).status_code == 200
    incident = api.get(f"/api/v1/incidents/{ref}").json()
    assert incident["acknowledged_by"] == "backend-lead"
    kinds = [e["kind"] for e in api.get(f"/api/v1/incidents/{ref}/timeline").json()]
    assert kinds.count("page_acknowledged") == 1 and kinds.count("acknowledged") == 1
    again = api.post(link)
    assert again.status_code == 409 and "already used" in again.text
    assert "This link was used" in api.get(link).text


def test_a_tampered_or_expired_ack_link_is_refused(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    _declare(api)
    link = _link_for(ctx, "sre-lead")
    assert api.post(link[:-2] + "xx").status_code == 422
    assert api.post("/ack/garbage").status_code == 422
    clock.advance(timedelta(hours=25))
    expired = api.post(link)
    assert expired.status_code == 422 and "expired" in expired.text


def test_a_link_signed_with_another_secret_is_refused(api: TestClient, clock: ManualClock) -> None:
    token = make_token("not-the-server-secret", "esc:1:page", clock.now())
    assert api.post(f"/ack/{token}").status_code == 422


def test_the_pages_of_an_incident_list_each_message_with_its_delivery_state(
    api: TestClient,
) -> None:
    ref = _declare(api, severity=2)
    pages = api.get(f"/api/v1/incidents/{ref}/pages").json()
    assert {p["person"] for p in pages} == {"sre-lead", "backend-lead", "product-manager"}
    assert {p["state"] for p in pages} == {"pending"}
    assert {"method", "address", "attempts", "error", "kind"} <= set(pages[0])
    assert api.get("/api/v1/incidents/2099-01-01-001/pages").status_code == 404


def test_the_incident_carries_its_next_steps(api: TestClient) -> None:
    ref = _declare(api)
    steps = api.get(f"/api/v1/incidents/{ref}").json()["next_steps"]
    assert steps and steps[0]["due_at"] and steps[0]["action"]
