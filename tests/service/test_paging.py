"""The escalation engine live: real service functions, real scheduler iterations, a manual
clock; every message a test does not claim fails it (see tests/harness.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness import Harness
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import links as pages
from warroom.service.incidents import reading
from warroom.service.reports import drills
from warroom.store.models import Timer

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
VENDORS = {"aws-support", "aws-tam", "db-provider", "cdn-provider", "payments-provider"}
SEV1_PAGES = {"sre-lead": "page", "backend-lead": "page", "product-manager": "page"}
SEV1_HEADS_UP = {"cto": "heads_up", "ceo": "heads_up"}


def declare(ctx: Context, severity: int = 1, **extra: Any) -> str:
    declared = incidents.Declaration(title="Checkout down", severity=severity, **extra)
    return ctx.transact(incidents.declare, declared, actor="tester").reference


def events(ctx: Context, reference: str, kind: str) -> list[dict[str, Any]]:
    return [e.data for e in ctx.read(reading.get_timeline, reference) if e.kind == kind]


def expect_each(harness: Harness, expected: dict[str, str]) -> None:
    for person, kind in expected.items():
        harness.expect(person, kind)


def test_declaring_a_sev1_pages_each_role_primary_and_tells_the_cto_and_ceo_at_once(
    harness: Harness,
) -> None:
    declare(harness.ctx)
    # queued in the declaring transaction, before any scheduler iteration
    assert {m.state for m in harness.messages()} == {"pending"}
    expect_each(harness, SEV1_PAGES | SEV1_HEADS_UP)
    harness.tick()
    assert {m.state for m in harness.messages()} == {"recorded"}  # no channels: built-in outbox


def test_a_page_nobody_answers_for_10_minutes_goes_to_the_next_contact(harness: Harness) -> None:
    declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    harness.advance(10 * MIN - timedelta(seconds=1))
    assert harness.unexpected() == []
    harness.advance(timedelta(seconds=1))
    [retry] = harness.expect("sre-lead", "retry")
    assert (retry.method, retry.address) == ("slack", "@sre-lead")
    [retry] = harness.expect("backend-lead", "retry")
    assert retry.method == "slack"


def test_a_role_holder_whose_contacts_are_used_up_gives_way_to_the_roles_backup(
    harness: Harness,
) -> None:
    declare(harness.ctx, severity=3)
    harness.advance(10 * MIN)
    harness.expect("sre-lead", count=2)
    harness.expect("backend-lead", count=2)
    harness.advance(10 * MIN)
    harness.expect("sre-lead", "retry")  # its third contact, email
    [backup] = harness.expect("frontend-lead", "page")  # backend-lead had two contacts
    assert backup.method == "slack"


def test_a_sev1_nobody_acknowledges_within_15_minutes_pages_the_incident_commanders_backup(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx)
    harness.advance(15 * MIN - timedelta(seconds=1))
    expect_each(harness, SEV1_PAGES | SEV1_HEADS_UP)
    expect_each(harness, {p: "retry" for p in (*SEV1_PAGES, *SEV1_HEADS_UP)})
    assert harness.unexpected() == []
    harness.advance(timedelta(seconds=1))
    [backup] = harness.expect("eng-manager", "page")
    assert backup.method == "phone"
    harness.expect("cto", "notify")  # the trigger reaches the next level, the CTO
    harness.expect("product-manager", "reminder")  # no update within 15 minutes
    assert events(harness.ctx, ref, "sla_breached")[0]["sla"] == "response"
    [escalated] = events(harness.ctx, ref, "escalated")
    assert escalated["level"] == "cto" and "no acknowledgement" in escalated["trigger"]


def test_an_acknowledged_incident_stops_the_fallbacks_of_every_page(harness: Harness) -> None:
    ref = declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    harness.advance(5 * MIN)
    harness.ctx.transact(incidents.acknowledge, ref, actor="tester", person="sre-lead")
    harness.advance(24 * MIN)
    assert harness.unexpected() == []
    harness.advance(1 * MIN)  # the matrix still runs: Sev3 reaches the team lead at 30m,
    # who is the commander and has acknowledged: reached, with no message
    assert [e["level"] for e in events(harness.ctx, ref, "escalated")] == ["team_lead"]
    harness.expect("product-manager", "reminder")  # the comms lead: no update in 30 minutes


def test_raising_the_severity_sends_the_new_declaration_messages_now_and_nothing_twice(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx, severity=2)
    expect_each(harness, SEV1_PAGES)
    harness.advance(5 * MIN)
    harness.ctx.transact(
        incidents.change_severity, ref, severity=1, reason="all users", actor="tester"
    )
    harness.expect("ceo", "heads_up")  # the pages went out at declaration: not again
    # the CTO's heads-up and the severity-raised trigger (next level) fall together: one message
    [both] = harness.expect("cto", "heads_up")
    assert "heads-up" in both.body and "severity raised" in both.body
    assert [e["level"] for e in events(harness.ctx, ref, "escalated")] == ["cto"]


def test_a_drill_runs_the_real_planner_and_keeps_every_message_in_the_built_in_outbox(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(harness.ctx.playbook.channels, "phone", "json://127.0.0.1:9/{address}")
    declare(harness.ctx, drill=True)
    harness.tick()
    expect_each(harness, SEV1_PAGES | SEV1_HEADS_UP)
    harness.advance(10 * MIN)
    expect_each(harness, {p: "retry" for p in SEV1_PAGES | SEV1_HEADS_UP})
    assert {m.state for m in harness.messages()} == {"recorded"}
    assert harness.transported == []  # a phone channel is configured, and nothing went out
    [score] = harness.ctx.read(drills.drill_scores)
    assert (score["time_to_first_page"], score["roles_assigned"]) == (0.0, 3)
    harness.claimed.update(m.id for m in harness.unexpected())


def test_a_retrospective_incident_pages_no_one(harness: Harness) -> None:
    declare(harness.ctx, at=harness.clock.now() - 3 * 60 * MIN)
    harness.advance(60 * MIN)
    assert harness.pending_timers() == 0


def test_a_resolved_incident_pages_no_one_more(harness: Harness) -> None:
    ref = declare(harness.ctx)
    expect_each(harness, SEV1_PAGES | SEV1_HEADS_UP)
    harness.ctx.transact(incidents.resolve, ref, resolution="rolled back", actor="tester")
    harness.advance(6 * 60 * MIN)
    assert harness.pending_timers() == 0
    assert events(harness.ctx, ref, "sla_breached") == []


def test_a_restart_after_a_crash_fires_what_fell_due_once(harness: Harness) -> None:
    ref = declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    harness.clock.advance(12 * MIN)  # the worker was down from 10:00 to 10:12
    restarted = Scheduler(harness.ctx, transport=harness.scheduler.transport)
    restarted.tick()
    expect_each(harness, {"sre-lead": "retry", "backend-lead": "retry"})
    restarted.tick()
    Scheduler(harness.ctx, transport=harness.scheduler.transport).tick()
    assert harness.unexpected() == []
    assert len(events(harness.ctx, ref, "page_sent")) == 4


def test_a_failing_timer_handler_is_retried_later_and_never_stops_the_loop(
    harness: Harness,
) -> None:
    calls: list[str] = []

    def broken(session: object, ctx: Context, timer: Timer, now: object) -> None:
        calls.append(timer.key)
        raise RuntimeError("boom")

    declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    failing = Scheduler(
        harness.ctx, handlers={"escalation": broken}, transport=harness.scheduler.transport
    )
    harness.clock.advance(10 * MIN)
    failing.tick()
    assert len(set(calls)) == 1, "one timer, tried in this turn (its writes rolled back)"
    with harness.ctx.db.unit_of_work() as session:
        [timer] = session.execute(select(Timer).where(Timer.state == "pending")).scalars()
        assert timer.payload["failures"] == 1 and "boom" in timer.payload["last_error"]
        assert timer.due_at > harness.clock.now()
    harness.advance(timedelta(seconds=5))  # the real handler takes the retried timer
    expect_each(harness, {"sre-lead": "retry", "backend-lead": "retry"})


def test_the_incident_shows_its_next_steps_with_their_due_times(harness: Harness) -> None:
    ref = declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    steps = harness.ctx.read(reading.get_incident, ref).next_steps
    first = steps[0]
    assert first["due_at"] == harness.clock.now() + 10 * MIN
    assert first["in_seconds"] == 600 and first["action"] == "retry"
    assert {s["action"] for s in steps} >= {"retry", "sla_breached", "notify"}


def _answer_link(harness: Harness, message: Any) -> None:
    match = re.search(r"/ack/(\S+)", message.body)
    assert match, message.body
    harness.ctx.transact(pages.acknowledge_link, match.group(1))


def test_a_sev1_whose_cto_and_ceo_answer_their_heads_ups_still_escalates_on_the_responders_clock(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx)
    expect_each(harness, SEV1_PAGES)
    for executive in SEV1_HEADS_UP:
        [heads_up] = harness.expect(executive, "heads_up")
        _answer_link(harness, heads_up)
    detail = harness.ctx.read(reading.get_incident, ref)
    assert detail.acknowledged_at is None  # "seen" is not an acknowledgement
    assert len(events(harness.ctx, ref, "page_acknowledged")) == 2
    assert events(harness.ctx, ref, "acknowledged") == []
    harness.advance(10 * MIN)
    expect_each(harness, {p: "retry" for p in SEV1_PAGES})  # the commander's next contact
    harness.advance(5 * MIN)
    harness.expect("eng-manager", "page")  # the commander's backup at the response miss
    harness.expect("cto", "notify")  # and the CTO, reached by that trigger
    harness.expect("product-manager", "reminder")
    assert events(harness.ctx, ref, "sla_breached")[0]["sla"] == "response"


def test_a_pages_link_acknowledges_the_incident(harness: Harness) -> None:
    ref = declare(harness.ctx)
    expect_each(harness, SEV1_HEADS_UP)
    [page] = harness.expect("sre-lead", "page")
    harness.expect("backend-lead", "page")
    harness.expect("product-manager", "page")
    _answer_link(harness, page)
    [acknowledged] = events(harness.ctx, ref, "acknowledged")
    assert acknowledged["person"] == "sre-lead"


def test_an_unanswered_sev2_gives_the_eng_manager_one_message_naming_both_reasons_at_30_minutes(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx, severity=2)
    expect_each(harness, SEV1_PAGES)
    harness.advance(10 * MIN)
    expect_each(harness, {p: "retry" for p in SEV1_PAGES})
    harness.advance(10 * MIN)
    harness.expect("sre-lead", "retry")  # its third contact
    harness.expect("frontend-lead", "page")  # backend-lead's two contacts used up
    harness.expect("customer-success", "page")
    harness.advance(10 * MIN)
    # the commander's backup and the matrix's eng_manager level: one message, both reasons
    [both] = harness.expect("eng-manager")
    assert both.kind == "page"
    assert "paging the backup" in both.body and "matrix 30m" in both.body
    assert [e["level"] for e in events(harness.ctx, ref, "escalated")] == ["eng_manager"]
    harness.expect("product-manager", "reminder")
    harness.expect("frontend-lead", "retry")
    harness.expect("customer-success", "retry")
    assert harness.unexpected() == []
    harness.advance(10 * MIN)
    [next_contact] = harness.expect("eng-manager")  # both chains' next contact, once
    assert next_contact.kind == "retry"
    assert len({m.created_at for m in harness.messages() if m.person == "eng-manager"}) == 2


def test_an_unanswered_sev1_of_the_database_tells_only_the_database_and_aws_vendors(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx, services=["database"])
    harness.advance(5 * HOUR)
    for vendor in ("aws-support", "aws-tam", "db-provider"):
        [told] = harness.expect(vendor)  # once: a vendor is told, not asked, so no next contact
        assert told.kind == "notify"
        assert "/ack/" not in told.body and "warroom ack" not in told.body
        assert "Checkout down" not in told.body  # the internal title stays inside
        assert ref in told.body and "Database" in told.body
    assert not [m for m in harness.unexpected() if m.person in VENDORS]  # no CDN, no payments
    harness.claimed.update(m.id for m in harness.unexpected())


def test_an_open_sev1_sends_the_cto_an_executive_briefing_of_its_status_at_1_hour(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx)
    harness.ctx.transact(incidents.acknowledge, ref, actor="sre-lead")
    harness.advance(HOUR)
    [briefing] = [m for m in harness.unexpected() if m.person == "cto" and "BRIEFING" in m.body]
    assert ref in briefing.body and "Status: INVESTIGATING" in briefing.body
    assert "/ack/" in briefing.body  # "seen" acknowledges this message only
    harness.claimed.update(m.id for m in harness.unexpected())
    harness.ctx.transact(incidents.resolve, ref, resolution="rolled back", actor="sre-lead")
    harness.advance(2 * HOUR)
    assert not [m for m in harness.unexpected() if "BRIEFING" in m.body]


def test_engaging_the_database_sme_pages_the_dba_and_their_next_contact_if_unanswered(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    harness.ctx.transact(incidents.acknowledge, ref, actor="sre-lead")
    harness.advance(2 * MIN)
    harness.ctx.transact(incidents.engage, ref, sme="database", actor="sre-lead")
    [page] = harness.expect("dba", "page")
    assert "You are paged as database SME" in page.body and "/ack/" in page.body
    harness.advance(10 * MIN)  # the incident's acknowledgement does not answer the SME's page
    [retry] = harness.expect("dba", "retry")
    _answer_link(harness, retry)
    harness.advance(20 * MIN)
    assert [m for m in harness.unexpected() if m.person == "dba"] == []
    harness.expect("product-manager", "reminder")  # no update for 30 minutes
    [engaged] = events(harness.ctx, ref, "sme_engaged")
    assert engaged == {"sme": "database", "person": "dba"}


def test_giving_the_commander_role_to_the_eng_manager_pages_them_and_tells_the_sre_lead(
    harness: Harness,
) -> None:
    ref = declare(harness.ctx, severity=3)
    harness.expect("sre-lead", "page")
    harness.expect("backend-lead", "page")
    harness.advance(5 * MIN)
    harness.ctx.transact(
        incidents.assign_role,
        ref,
        role="incident_commander",
        person="eng-manager",
        actor="sre-lead",
    )
    [page] = harness.expect("eng-manager", "page")
    assert "Incident Commander" in page.body
    [released] = harness.expect("sre-lead", "released")
    assert "no longer hold" in released.body and "/ack/" not in released.body
    _answer_link(harness, page)
    harness.advance(10 * MIN)
    # the released commander's page stops: no next contact for the sre-lead
    assert [m for m in harness.unexpected() if m.person == "sre-lead"] == []
    harness.claimed.update(m.id for m in harness.unexpected())


def test_an_sme_whose_contacts_are_used_up_unanswered_pages_the_smes_backup(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    smes = harness.ctx.playbook.smes
    monkeypatch.setitem(
        smes, "database", smes["database"].model_copy(update={"backup": "devops-lead"})
    )
    ref = declare(harness.ctx, severity=3)
    expect_each(harness, {"sre-lead": "page", "backend-lead": "page"})
    harness.ctx.transact(incidents.acknowledge, ref, actor="sre-lead")
    harness.advance(MIN)
    harness.ctx.transact(incidents.engage, ref, sme="database", actor="sre-lead")
    [page] = harness.expect("dba", "page")
    assert "then your backup" in page.body
    harness.advance(10 * MIN)
    harness.expect("dba", "retry")
    harness.advance(10 * MIN)
    [backup] = harness.expect("devops-lead", "page")
    assert "database SME" in backup.body and "paging the backup" in backup.body
    harness.claimed.update(m.id for m in harness.unexpected())
