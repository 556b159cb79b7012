"""One open incident per alert group, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.intake.conftest import fixture
from warroom.clock import ManualClock
from warroom.core.playbook import IntakeRule
from warroom.errors import Unauthorized
from warroom.intake import alertmanager, group_commit, pagerduty, rejections
from warroom.intake import applier as intake
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.intake.common import digest
from warroom.intake.routing import Alert, Notification
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import reading
from warroom.store.intake_models import AlertRow


@pytest.fixture
def source(ctx: Context) -> integration_keys.IntegrationInfo:
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    return integration_keys.authenticate(ctx, key, "alertmanager")


def send(
    ctx: Context, source: integration_keys.IntegrationInfo, name: str, *, fired_again: bool = False
) -> intake.Outcome:
    """`fired_again`: the alerts resolved and fired anew, so they carry a new startsAt."""
    body = fixture(name)
    if fired_again:
        for alert in body["alerts"]:
            alert["startsAt"] = ctx.clock.now().isoformat()
    return ingest(ctx, source, alertmanager.parse(body, ctx.clock.now()))


def ingest(
    ctx: Context, source: integration_keys.IntegrationInfo, note: Notification
) -> intake.Outcome:
    """A notification applied in its own transaction, as the inbox's applier does."""
    with ctx.db.unit_of_work() as session:
        return intake.apply(ctx, session, source, note)


def alert_rows(ctx: Context) -> int:
    with ctx.db.unit_of_work() as session:
        return int(session.execute(select(func.count()).select_from(AlertRow)).scalar_one())


def with_intake(ctx: Context, **changes: object) -> Context:
    playbook = ctx.playbook.model_copy(
        update={"intake": ctx.playbook.intake.model_copy(update=changes)}
    )
    return Context(db=ctx.db, playbook=playbook, clock=ctx.clock, settings=ctx.settings)


def test_a_key_is_32_alphanumerics_shown_once_and_checked_per_source(ctx: Context) -> None:
    key = ctx.transact(integration_keys.create_integration, "pagerduty", "pd")
    assert len(key) == 32 and key.isalnum()
    assert integration_keys.authenticate(ctx, key, "pagerduty").name == "pd"
    with pytest.raises(Unauthorized):
        integration_keys.authenticate(ctx, key, "alertmanager")
    ctx.transact(integration_keys.revoke_integration, "pd")
    with pytest.raises(Unauthorized):
        integration_keys.authenticate(ctx, key, "pagerduty")
    assert [i.name for i in ctx.read(integration_keys.list_integrations)] == ["pd"]


def test_a_firing_group_declares_one_incident_from_source_alert(ctx, source) -> None:
    outcome = send(ctx, source, "02-firing-group-of-3.json")
    assert outcome.move == "declare" and outcome.alerts == 3
    detail = ctx.read(reading.get_incident, outcome.reference)
    assert detail.severity == 1
    assert detail.title == "HighErrorRate: 5xx rate above 5%"
    assert (len(detail.alerts), detail.alerts_total) == (3, 3)
    assert {a.labels["instance"] for a in detail.alerts} == {
        "checkout-a:8080",
        "checkout-b:8080",
        "checkout-c:8080",
    }
    with ctx.db.unit_of_work() as session:
        from warroom.store.models import Incident

        row = session.execute(select(Incident)).scalar_one()
        assert row.source == "alert"
        assert row.detected_at.isoformat().startswith("2026-11-26T18:59:33.438")


def test_repeats_and_resolutions_attach_to_the_same_incident_which_stays_open(ctx, source) -> None:
    first = send(ctx, source, "02-firing-group-of-3.json")
    repeat = send(ctx, source, "02-firing-group-of-3.json")
    partial = send(ctx, source, "03-firing-group-one-resolved.json")
    resolved = send(ctx, source, "04-resolved-group-of-2.json")
    assert {first.reference, repeat.reference, partial.reference, resolved.reference} == {
        first.reference
    }
    assert repeat.alerts == 0, "a repeat notification adds nothing"
    assert (partial.alerts, resolved.alerts) == (1, 2)
    assert alert_rows(ctx) == 6
    assert len(ctx.read(reading.list_incidents, status="all")) == 1
    assert ctx.read(reading.get_incident, first.reference).status == "investigating"


def test_with_auto_resolve_the_last_resolution_resolves_the_incident(ctx, source) -> None:
    auto = with_intake(ctx, auto_resolve=True)
    first = send(auto, source, "01-firing-single-alert.json")
    send(auto, source, "05-resolved-single-alert.json")
    assert auto.read(reading.get_incident, first.reference).status == "resolved"


def test_a_group_firing_again_within_the_window_reopens_its_incident(ctx, source) -> None:
    clock: ManualClock = ctx.clock
    first = send(ctx, source, "01-firing-single-alert.json")
    ctx.transact(incidents.resolve, first.reference, resolution="disk cleaned", actor="ops")
    clock.advance(timedelta(minutes=30))
    again = send(ctx, source, "01-firing-single-alert.json", fired_again=True)
    assert (again.move, again.reference) == ("reopen", first.reference)
    assert ctx.read(reading.get_incident, first.reference).status == "investigating"


def test_a_repeat_of_alerts_a_resolved_incident_already_had_reopens_nothing(ctx, source):
    first = send(ctx, source, "01-firing-single-alert.json")
    ctx.transact(incidents.resolve, first.reference, resolution="disk cleaned", actor="ops")
    repeat = send(ctx, source, "01-firing-single-alert.json")
    assert repeat.move == "ignore"
    assert ctx.read(reading.get_incident, first.reference).status == "resolved"


def test_a_group_firing_after_the_window_opens_a_new_incident(ctx, source) -> None:
    clock: ManualClock = ctx.clock
    first = send(ctx, source, "01-firing-single-alert.json")
    ctx.transact(incidents.resolve, first.reference, resolution="disk cleaned", actor="ops")
    clock.advance(timedelta(hours=2))
    again = send(ctx, source, "01-firing-single-alert.json", fired_again=True)
    assert again.move == "declare" and again.reference != first.reference


def test_a_resolution_for_an_unknown_group_opens_nothing(ctx, source) -> None:
    outcome = send(ctx, source, "05-resolved-single-alert.json")
    assert outcome.move == "ignore" and outcome.reference is None
    assert ctx.read(reading.list_incidents, status="all") == []


def test_unknown_services_are_kept_on_the_alert_and_catalog_ones_on_the_incident(ctx, source):
    routed = with_intake(ctx, rules=[IntakeRule(match={"service": "postgres"}, service="database")])
    outcome = send(routed, source, "01-firing-single-alert.json")
    assert ctx.read(reading.get_incident, outcome.reference).services == ["database"]
    plain = send(ctx, source, "02-firing-group-of-3.json")
    assert ctx.read(reading.get_incident, plain.reference).services == []


def test_dropped_alerts_open_nothing(ctx, source) -> None:
    dropping = with_intake(
        ctx, rules=[IntakeRule(match={"alertname": "DiskAlmostFull"}, drop=True)]
    )
    outcome = send(dropping, source, "01-firing-single-alert.json")
    assert (outcome.move, outcome.dropped) == ("dropped", 1)


def test_pagerduty_trigger_acknowledge_resolve_follow_one_dedup_key(ctx) -> None:
    auto = with_intake(ctx, auto_resolve=True)
    key = ctx.transact(integration_keys.create_integration, "pagerduty", "pd")
    found = integration_keys.authenticate(ctx, key, "pagerduty")
    body = fixture("pagerduty-am025-trigger.json")
    opened = ingest(auto, found, pagerduty.parse(body, ctx.clock.now()).notification)
    assert ctx.read(reading.get_incident, opened.reference).services == ["payments"]
    for action in ("acknowledge", "resolve"):
        event = {"routing_key": key, "event_action": action, "dedup_key": body["dedup_key"]}
        ingest(auto, found, pagerduty.parse(event, ctx.clock.now()).notification)
    detail = ctx.read(reading.get_incident, opened.reference)
    assert detail.acknowledged_at is not None and detail.status == "resolved"
    assert [a.status for a in detail.alerts] == ["resolved"], "one dedup key: one alert"


def test_rejected_payloads_are_kept_newest_first_and_bounded(ctx, monkeypatch) -> None:
    monkeypatch.setattr(rejections, "REJECTED_KEPT", 3)
    for n in range(5):
        ctx.transact(
            rejections.reject,
            endpoint="/x",
            status_code=400,
            reason=f"bad {n}",
            field="f",
            headers={"content-type": "text/plain"},
            body="{",
        )
    kept = ctx.read(rejections.list_rejected)
    assert [r["reason"] for r in kept] == ["bad 4", "bad 3", "bad 2"]


def test_appliers_racing_over_the_inbox_apply_each_payload_once_into_one_incident(ctx, source):
    """One applier at a time (the single writer on SQLite, an advisory lock on
    PostgreSQL): four racing over first notifications of one group open one incident."""
    from concurrent.futures import ThreadPoolExecutor

    raw = json.dumps(fixture("02-firing-group-of-3.json")).encode()
    accepted = intake_queue.Accepted(source.id, "alertmanager", ctx.clock.now(), "", raw)
    group_commit.store(ctx.db, [accepted] * 8)
    with ThreadPoolExecutor(max_workers=4) as pool:
        applied = list(
            pool.map(lambda _: intake_queue.apply_waiting(ctx, limit=1).payloads, range(8))
        )
    assert sum(applied) == 8 and intake_queue.pending(ctx) == 0
    assert len(ctx.read(reading.list_incidents, status="all")) == 1
    assert alert_rows(ctx) == 3
    assert ctx.read(rejections.list_rejected) == []


def test_stored_alerts_read_back_as_parsed_and_match_queries_on_their_timestamps(ctx, source):
    """The bulk insert prepares values itself on SQLite: what it stores must be what
    SQLAlchemy would have stored, or a query binding the same timestamp finds nothing."""
    note = alertmanager.parse(fixture("02-firing-group-of-3.json"), ctx.clock.now())
    ingest(ctx, source, note)
    with ctx.db.reader() as session:
        for alert in note.alerts:
            row = session.execute(
                select(AlertRow).where(
                    AlertRow.fingerprint == alert.fingerprint,
                    AlertRow.starts_at == alert.starts_at,
                    AlertRow.received_at == ctx.clock.now(),
                )
            ).scalar_one()
            assert (row.labels, row.annotations, row.details) == (
                alert.labels,
                alert.annotations,
                alert.details,
            )
            assert (row.starts_at, row.ends_at, row.status) == (
                alert.starts_at,
                alert.ends_at,
                alert.status,
            )


def test_alert_keys_shortened_by_the_migration_still_know_repeats_both_ways(ctx, source):
    """0010 keeps the first 16 hex digits of each key; its downgrade restores whole ones."""
    from alembic import command

    from warroom.store.migrate import alembic_config, upgrade

    note = alertmanager.parse(fixture("02-firing-group-of-3.json"), ctx.clock.now())
    ingest(ctx, source, note)
    whole = {digest(a.fingerprint, a.status, a.starts_at.isoformat()) for a in note.alerts}
    try:
        command.downgrade(alembic_config(ctx.db.engine), "0009_inbox_group")
        assert stored_keys(ctx) == whole
    finally:
        upgrade(ctx.db.engine)
    assert stored_keys(ctx) == {intake.alert_key(a) for a in note.alerts}
    assert {len(key) for key in stored_keys(ctx)} == {16}
    assert ingest(ctx, source, note).alerts == 0, "a repeat after the upgrade adds nothing"


def test_an_alert_keeps_its_identity_whatever_offset_its_start_is_written_in() -> None:
    start = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
    written = [start.astimezone(timezone(timedelta(hours=hours))) for hours in (2, 0, -5)]
    alerts = [
        Alert("alertmanager", "g", "firing", "t", {}, {}, at, None, "fp-1", {}) for at in written
    ]
    expected = digest("fp-1", "firing", "2024-01-15T10:00:00+00:00")[: intake.ALERT_KEY_DIGITS]
    assert {intake.alert_key(a) for a in alerts} == {expected}


def stored_keys(ctx: Context) -> set[str]:
    with ctx.db.reader() as session:
        return set(session.execute(select(AlertRow.alert_key)).scalars())


def test_alert_details_are_stored_whole_even_where_the_fast_json_writer_refuses(ctx, source):
    """JSON columns are written by orjson, and by json where orjson refuses: an integer
    beyond 64 bits, text beyond ASCII and nesting all read back as sent."""
    details = {"count": 2**70 + 1, "region": "eu-west-1 ☁", "nested": {"a": [1.5, None]}}
    body = fixture("pagerduty-trigger.json")
    body["payload"]["custom_details"] = details
    note = pagerduty.parse(body, ctx.clock.now()).notification
    ingest(ctx, source, note)
    with ctx.db.reader() as session:
        stored = session.execute(select(AlertRow.details)).scalar_one()
    assert stored == note.alerts[0].details
    assert stored["custom_details"]["count"] == 2**70 + 1  # not a float near it
