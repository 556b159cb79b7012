"""Outbox delivery: channels, retries with backoff, failures that move the protocol on."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.harness import Harness
from warroom.cli.main import app
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import dump_playbook
from warroom.notify.delivery import (
    MAX_ATTEMPTS,
    SENDS_IN_FLIGHT,
    SENDS_PER_CHANNEL,
    DeliveryError,
    apprise_send,
    channel_problems,
    channel_url,
)
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import reading
from warroom.store.job_queries import claim_due_timers
from warroom.store.models import Incident

PHONE = "json://127.0.0.1:9/page/{address}"


def with_channels(ctx: Context, **channels: str) -> None:
    ctx.playbook = ctx.playbook.model_copy(update={"channels": channels})


def test_a_method_with_a_channel_is_sent_to_its_url_with_the_address_filled_in(
    playbook: Playbook,
) -> None:
    pb = playbook.model_copy(update={"channels": {"phone": PHONE}})
    assert channel_url(pb, "phone", "+1-555-0101") == "json://127.0.0.1:9/page/+1-555-0101"
    assert channel_url(pb, "email", "a@b.c") is None
    assert channel_url(pb, "apprise", "json://127.0.0.1:9/x") == "json://127.0.0.1:9/x"


def test_pages_through_a_channel_name_the_incident_and_carry_an_ack_link(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    ref = harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=2), actor="t"
    ).reference
    harness.tick()
    sent = [m for m in harness.messages() if m.state == "sent"]
    assert {m.person for m in sent} == {"sre-lead", "backend-lead"}  # phone first
    [slack] = harness.expect("product-manager", "page")
    assert slack.state == "recorded"  # slack has no channel: the built-in outbox
    harness.claimed.update(m.id for m in sent)
    url, subject, body = harness.transported[0]
    assert url.startswith("json://127.0.0.1:9/page/+1-555-")
    assert ref in subject and "Sev2" in subject and "Checkout down" in subject
    assert "/ack/" in body and "ago" in body
    events = harness.ctx.read(reading.get_timeline, ref)
    deliveries = sorted(e.data["delivery"] for e in events if e.kind == "page_sent")
    assert deliveries == ["recorded", "sent", "sent"]


def test_a_delivery_that_keeps_failing_is_retried_then_counts_as_unanswered_at_once(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    attempts: list[str] = []

    def down(url: str, subject: str, body: str) -> None:
        attempts.append(url)
        raise DeliveryError("connection refused")

    harness.scheduler.transport = down
    ref = harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=4), actor="t"
    ).reference
    harness.advance(timedelta(minutes=2))
    assert len(attempts) == MAX_ATTEMPTS
    [page] = harness.expect("backend-lead", "page")
    assert page.state == "failed"
    # the protocol moved on at once: the next contact (slack, no channel) was recorded
    [retry] = harness.expect("backend-lead", "retry")
    assert retry.method == "slack" and retry.state == "recorded"
    events = harness.ctx.read(reading.get_timeline, ref)
    failed = [e.data for e in events if e.kind == "page_failed"]
    assert [f["final"] for f in failed] == [False] * (MAX_ATTEMPTS - 1) + [True]
    assert failed[0]["error"] == "connection refused"


def test_a_delivery_error_from_apprise_names_the_reason() -> None:
    with pytest.raises(DeliveryError):
        apprise_send("json://127.0.0.1:9/nowhere", "subject", "body")
    with pytest.raises(DeliveryError, match="rejects"):
        apprise_send("nosuchscheme://x", "subject", "body")


def test_a_channel_url_that_apprise_rejects_is_reported_with_its_path(playbook: Playbook) -> None:
    pb = playbook.model_copy(update={"channels": {"phone": "nosuchscheme://{address}"}})
    [problem] = channel_problems(pb)
    assert problem.path == "channels.phone" and "nosuchscheme" in problem.message
    assert channel_problems(playbook) == []


def test_the_worker_refuses_to_start_on_a_channel_apprise_rejects(
    playbook: Playbook, tmp_path: Path
) -> None:
    pb = playbook.model_copy(update={"channels": {"phone": "nosuchscheme://{address}"}})
    path = tmp_path / "playbook.yaml"
    path.write_text(dump_playbook(pb), "utf-8")
    db = f"sqlite:///{tmp_path / 'w.db'}"
    result = CliRunner().invoke(app, ["--playbook", str(path), "--database-url", db, "worker"])
    assert result.exit_code == 1
    assert str(path) in result.output and "channels.phone" in result.output


def test_the_worker_refuses_a_playbook_whose_roles_name_people_without_contacts(
    playbook: Playbook, tmp_path: Path
) -> None:
    people = dict(playbook.people)
    people["sre-lead"] = people["sre-lead"].model_copy(update={"contacts": []})
    path = tmp_path / "playbook.yaml"
    path.write_text(dump_playbook(playbook.model_copy(update={"people": people})), "utf-8")
    db = f"sqlite:///{tmp_path / 'w.db'}"
    result = CliRunner().invoke(app, ["--playbook", str(path), "--database-url", db, "worker"])
    assert result.exit_code == 1
    assert str(path) in result.output and "sre-lead" in result.output


def test_playbook_check_reports_a_channel_apprise_rejects(
    playbook: Playbook, tmp_path: Path
) -> None:
    pb = playbook.model_copy(update={"channels": {"email": "nosuchscheme://{address}"}})
    path = tmp_path / "playbook.yaml"
    path.write_text(dump_playbook(pb), "utf-8")
    result = CliRunner().invoke(app, ["playbook", "check", str(path)])
    assert result.exit_code == 1 and "channels.email" in result.output


def test_a_claimed_batch_is_sent_side_by_side_not_one_after_another(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    together = threading.Barrier(2, timeout=10)
    sent: list[str] = []

    def needs_company(url: str, subject: str, body: str) -> None:
        together.wait()  # broken (an error) unless a second send is in flight at once
        sent.append(url)

    harness.scheduler.transport = needs_company
    harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=2), actor="t"
    )
    harness.tick()
    assert len(sent) == 2, "the two phone pages of a Sev2 went out together"
    assert not together.broken
    harness.claimed.update(m.id for m in harness.messages())


def test_sends_that_finish_together_are_settled_in_one_transaction(harness: Harness) -> None:
    with_channels(harness.ctx, phone=PHONE)
    together = threading.Barrier(2, timeout=10)

    def in_step(url: str, subject: str, body: str) -> None:
        together.wait()  # both sends are over at the same moment

    harness.scheduler.transport = in_step
    transactions: list[int] = []
    real_unit = harness.ctx.db.unit_of_work

    def counted() -> object:
        transactions.append(1)
        return real_unit()

    harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=2), actor="t"
    )
    harness.ctx.db.unit_of_work = counted  # type: ignore[method-assign]
    try:
        harness.scheduler.drain_outbox()
    finally:
        harness.ctx.db.unit_of_work = real_unit  # type: ignore[method-assign]
    assert len(transactions) == 2, "one claim and one settle for both phone pages"
    assert sorted(m.state for m in harness.messages()) == ["recorded", "sent", "sent"]
    harness.claimed.update(m.id for m in harness.messages())


def test_a_sent_page_whose_timeline_entry_fails_is_still_marked_sent_never_resent(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    sent: list[str] = []
    harness.scheduler.transport = lambda url, subject, body: sent.append(url)

    def broken(*args: object) -> None:
        raise RuntimeError("the timeline is unwell")

    harness.scheduler._outcome = broken  # type: ignore[assignment]
    harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=2), actor="t"
    )
    harness.tick()
    harness.advance(timedelta(minutes=5))  # past the lease: nothing is sent a second time
    assert len(sent) == len(set(sent)) >= 2
    assert {m.state for m in harness.messages() if m.person in {"sre-lead", "backend-lead"}} == {
        "sent"
    }
    harness.claimed.update(m.id for m in harness.messages())


def test_one_page_whose_timeline_entry_fails_leaves_the_rest_of_its_batch_on_the_timeline(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    harness.scheduler.transport = lambda url, subject, body: None
    real = harness.scheduler._outcome

    def unwell_for_the_backend_lead(*args: Any) -> None:
        if args[2].person == "backend-lead":
            raise RuntimeError("the timeline is unwell")
        real(*args)

    harness.scheduler._outcome = unwell_for_the_backend_lead  # type: ignore[assignment]
    ref = harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=2), actor="t"
    ).reference
    harness.tick()
    logged = {e.data.get("person") for e in harness.ctx.read(reading.get_timeline, ref)
              if e.kind == "page_sent"}  # fmt: skip
    assert logged == {"sre-lead", "product-manager"}  # one sent, one recorded
    assert {m.state for m in harness.messages()} == {"sent", "recorded"}
    harness.claimed.update(m.id for m in harness.messages())


def test_in_a_backlog_a_sev1_page_goes_before_a_sev3_page_that_fell_due_earlier(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    harness.scheduler.transport = lambda url, subject, body: harness.transported.append(
        (url, subject, body)
    )
    harness.scheduler.batch = 1
    harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Reports slow", severity=3), actor="t"
    )
    harness.clock.advance(timedelta(seconds=30))
    harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=1), actor="t"
    )
    harness.scheduler.drain_outbox()
    [(_, subject, _)] = harness.transported
    assert "Sev1" in subject
    harness.tick()
    harness.claimed.update(m.id for m in harness.messages())


def test_raising_an_incident_to_sev1_moves_its_queued_pages_and_timers_up_the_queue(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE)
    harness.scheduler.transport = lambda url, subject, body: harness.transported.append(
        (url, subject, body)
    )
    harness.scheduler.batch = 1
    harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Checkout down", severity=2), actor="t"
    )
    harness.clock.advance(timedelta(seconds=30))
    raised = harness.ctx.transact(
        incidents.declare, incidents.Declaration(title="Reports slow", severity=3), actor="t"
    )
    harness.ctx.transact(
        incidents.change_severity, raised.reference, severity=1, reason="checkout too", actor="t"
    )

    def first_timer_claimed(ctx: Context, session: Session) -> str:
        [timer] = claim_due_timers(session, harness.clock.now() + timedelta(days=365), 1)
        return session.get_one(Incident, timer.incident_id).reference

    assert harness.ctx.transact(first_timer_claimed) == raised.reference
    harness.scheduler.drain_outbox()
    [(_, subject, _)] = harness.transported
    assert "Reports slow" in subject
    harness.tick()
    harness.claimed.update(m.id for m in harness.messages())


def test_a_channel_whose_server_hangs_holds_a_few_send_threads_and_the_others_go_out(
    harness: Harness,
) -> None:
    with_channels(harness.ctx, phone=PHONE, email="json://127.0.0.1:9/mail/{address}")
    email_may_finish, phones_sent = threading.Event(), threading.Event()
    emails_at_once: list[int] = []
    in_flight = [0]
    lock = threading.Lock()

    def email_hangs(url: str, subject: str, body: str) -> None:
        if "/page/" in url:
            phones_sent.set()
            return
        with lock:
            in_flight[0] += 1
            emails_at_once.append(in_flight[0])
        email_may_finish.wait(timeout=10)
        with lock:
            in_flight[0] -= 1

    def queue(ctx: Context, session: Session) -> None:
        for number in range(12):  # claimed first: ten emails, then two phone pages
            method = "email" if number < 10 else "phone"
            jobs.enqueue(
                session, key=f"m{number}", kind="page", method=method, address=f"a{number}",
                subject="s", body="b", now=harness.clock.now() - timedelta(seconds=12 - number),
            )  # fmt: skip

    harness.ctx.transact(queue)
    harness.scheduler.transport = email_hangs
    release = threading.Thread(target=lambda: phones_sent.wait(10) and email_may_finish.set())
    release.start()
    harness.scheduler.drain_outbox()
    release.join(timeout=10)
    assert phones_sent.is_set(), "the phone pages went out while every email hung"
    assert max(emails_at_once) == SENDS_PER_CHANNEL < SENDS_IN_FLIGHT
    assert {m.state for m in harness.messages()} == {"sent"}
    harness.claimed.update(m.id for m in harness.messages())
