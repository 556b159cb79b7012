"""An incident's alerts read back one per fingerprint, newest first and bounded, on SQLite
and PostgreSQL: a storm's incident answers with its latest alerts and how many in all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.intake.conftest import fixture
from warroom.clock import ManualClock
from warroom.intake import alertmanager
from warroom.intake import applier as intake
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.store.alert_queries import latest_alerts
from warroom.store.queries import incident_by_reference

CHECKOUT_A, CHECKOUT_B, CHECKOUT_C = "816afe24b518730c", "40e4a566e418ca2f", "5b627ed63e72abfa"


@pytest.fixture
def source(ctx: Context) -> integration_keys.IntegrationInfo:
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    return integration_keys.authenticate(ctx, key, "alertmanager")


def send(ctx: Context, source: integration_keys.IntegrationInfo, name: str) -> str:
    """The payload applied as the inbox's applier does; the incident's reference."""
    note = alertmanager.parse(fixture(name), ctx.clock.now())
    with ctx.db.unit_of_work() as session:
        outcome = intake.apply(ctx, session, source, note)
    assert outcome.reference is not None
    return outcome.reference


def test_each_alert_reads_once_with_its_latest_status_and_first_and_last_receipt(
    ctx: Context, clock: ManualClock, source: integration_keys.IntegrationInfo
) -> None:
    opened = clock.now()
    reference = send(ctx, source, "02-firing-group-of-3.json")
    clock.advance(timedelta(minutes=1))
    send(ctx, source, "03-firing-group-one-resolved.json")
    clock.advance(timedelta(minutes=1))
    send(ctx, source, "04-resolved-group-of-2.json")
    with ctx.db.reader() as session:
        incident_id = incident_by_reference(session, reference).id
        found, total = latest_alerts(session, incident_id, limit=10)
    assert total == 3
    by_fingerprint = {record.fingerprint: record for record in found}
    assert [r.fingerprint for r in found][2] == CHECKOUT_B, "b changed last a minute earlier"
    assert {r.status for r in found} == {"resolved"}
    assert {r.first_seen for r in found} == {opened}
    assert by_fingerprint[CHECKOUT_A].last_seen == opened + timedelta(minutes=2)
    assert by_fingerprint[CHECKOUT_B].last_seen == opened + timedelta(minutes=1)
    checkout_a = by_fingerprint[CHECKOUT_A]
    assert checkout_a.labels["instance"] == "checkout-a:8080"
    assert checkout_a.annotations["runbook_url"] == "https://runbooks.example.invalid/HighErrorRate"
    assert checkout_a.ends_at is not None and checkout_a.ends_at > checkout_a.starts_at
    assert checkout_a.details["externalURL"] == "http://vm:19093"
    assert checkout_a.last_seen.tzinfo is not None, "times read back in UTC on every database"


def test_a_bounded_read_keeps_the_alerts_last_received_and_counts_them_all(
    ctx: Context, clock: ManualClock, source: integration_keys.IntegrationInfo
) -> None:
    reference = send(ctx, source, "02-firing-group-of-3.json")
    clock.advance(timedelta(minutes=1))
    send(ctx, source, "03-firing-group-one-resolved.json")
    other = send(ctx, source, "01-firing-single-alert.json")
    with ctx.db.reader() as session:
        incident_id = incident_by_reference(session, reference).id
        [newest], total = latest_alerts(session, incident_id, limit=1)
        others, others_total = latest_alerts(
            session, incident_by_reference(session, other).id, limit=10
        )
    assert (newest.fingerprint, newest.status, total) == (CHECKOUT_B, "resolved", 3)
    assert [r.fingerprint for r in others] == ["ea5bdd1e1c1b3334"], "another incident's own"
    assert others_total == 1


def test_an_incident_declared_by_hand_has_no_alerts(ctx: Context) -> None:
    declared = ctx.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="sre-lead"
    )
    with ctx.db.reader() as session:
        incident_id = incident_by_reference(session, declared.reference).id
        assert latest_alerts(session, incident_id, limit=10) == ([], 0)
