"""The timeline in JSON reads as sentences for people (`text`, `actor_name`) and keeps every
structured field it had: a Sev1 from declaration to resolution, as a new user runs it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.store.models import OutboxMessage


def nothing_is_transported(url: str, subject: str, body: str) -> None:
    raise AssertionError(f"the built-in playbook has no channel, yet {url} was sent to")


def a_sev1_from_declaration_to_resolution(api: TestClient, ctx: Context, clock: ManualClock) -> str:
    declared = api.post(
        "/api/v1/incidents",
        json={"title": "Checkout returns 500", "severity": 1, "services": ["api"]},
    )
    ref = str(declared.json()["reference"])
    Scheduler(ctx, transport=nothing_is_transported).tick()
    clock.advance(timedelta(minutes=4))
    api.post(f"/api/v1/incidents/{ref}/acknowledge", json={"person": "sre-lead"})
    api.post(
        f"/api/v1/incidents/{ref}/attempts",
        json={"action": "restart api pods", "outcome": "failed", "hypothesis": "memory leak"},
    )
    clock.advance(timedelta(minutes=20))
    resolved = api.post(
        f"/api/v1/incidents/{ref}/resolve",
        json={
            "resolution": "Rolled back release 4.2",
            "root_cause": "A missing index",
            "prevention": "Index checks in CI",
        },
    )
    assert resolved.status_code == 200, resolved.text
    return ref


def timeline_of(api: TestClient, ref: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/incidents/{ref}/timeline")
    assert response.status_code == 200
    return list(response.json())


def the_first(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(event for event in events if event["kind"] == kind)


def test_each_event_of_a_sev1_reads_as_a_sentence(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    events = timeline_of(api, a_sev1_from_declaration_to_resolution(api, ctx, clock))
    texts = [(e["kind"], e["text"]) for e in events if e["kind"] != "checklist_ticked"]
    assert texts == [
        ("declared", "Declared Sev1 (Critical): Checkout returns 500; services api"),
        (
            "page_sent",
            "Paged SRE Team Lead by phone (+1-555-0101): recorded, no channel configured",
        ),
        (
            "page_sent",
            "Paged Senior Backend Engineer by phone (+1-555-0102): recorded, no channel configured",
        ),
        (
            "page_sent",
            "Paged Product Manager by slack (@product-manager): recorded, no channel configured",
        ),
        ("page_sent", "Told CTO by phone (+1-555-0301): recorded, no channel configured"),
        ("page_sent", "Told CEO by phone (+1-555-0401): recorded, no channel configured"),
        ("acknowledged", "Acknowledged by SRE Team Lead"),
        (
            "resolution_attempt",
            "Tried: restart api pods (hypothesis: memory leak) — failed (1 failed so far)",
        ),
        (
            "resolved",
            "Resolved: Rolled back release 4.2; root cause: A missing index"
            "; prevention: Index checks in CI",
        ),
        ("postmortem_created", "Post-mortem opened for SRE Team Lead, due 2024-01-17 10:24 UTC"),
    ]


def test_the_sentences_keep_the_structured_data_beside_them(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    events = timeline_of(api, a_sev1_from_declaration_to_resolution(api, ctx, clock))
    page = the_first(events, "page_sent")
    assert set(page) == {"seq", "at", "actor", "actor_name", "kind", "data", "text"}
    assert page["data"]["message"] == "page:incident_commander:sre-lead:0"
    assert page["data"]["person"] == "sre-lead"
    assert page["data"]["delivery"] == "recorded"
    assert the_first(events, "declared")["data"]["services"] == ["api"]
    assert the_first(events, "resolved")["data"]["prevention"] == "Index checks in CI"


def test_a_page_answered_by_its_link_names_the_person_who_answered(
    api: TestClient, ctx: Context
) -> None:
    declared = api.post("/api/v1/incidents", json={"title": "Checkout returns 500", "severity": 1})
    ref = str(declared.json()["reference"])
    Scheduler(ctx, transport=nothing_is_transported).tick()
    answered = api.post(f"/ack/{ack_token_sent_to(ctx, 'sre-lead')}")
    assert answered.status_code == 200, answered.text
    events = timeline_of(api, ref)
    answer = the_first(events, "page_acknowledged")
    assert (answer["actor"], answer["actor_name"]) == ("sre-lead", "SRE Team Lead")
    assert answer["text"] == "SRE Team Lead answered the page (by link)"
    assert the_first(events, "acknowledged")["text"] == "Acknowledged by SRE Team Lead (by link)"
    assert the_first(events, "declared")["actor_name"] == "responder-token"


def ack_token_sent_to(ctx: Context, person: str) -> str:
    with ctx.db.reader() as session:
        statement = select(OutboxMessage.body).where(OutboxMessage.person == person)
        body = session.execute(statement).scalars().first()
    found = re.search(r"/ack/([^\s]+)", body or "")
    assert found, f"no acknowledgement link was sent to {person}"
    return found.group(1)
