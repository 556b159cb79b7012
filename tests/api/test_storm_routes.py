"""Alert storms (SPEC §5), through the real Alertmanager route: past `intake.storm` (10 new
incidents within 5 minutes), the groups that would open more join one alert-storm incident
of that integration, paged once; on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.harness import Harness
from tests.harness import harness as harness
from tests.intake.conftest import fixture
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import reading
from warroom.store.models import Incident, OutboxMessage

AM = "/api/v1/integrations/alertmanager"


@pytest.fixture
def key(ctx: Context) -> str:
    return ctx.transact(integration_keys.create_integration, "alertmanager", "prom")


def group(n: int, *, severity: str = "warning", status: str = "firing") -> dict[str, Any]:
    """Alertmanager's notification of alert group `n` (one alert, host-n down)."""
    body = copy.deepcopy(fixture("01-firing-single-alert.json"))
    alert = body["alerts"][0]
    alert["labels"] |= {"alertname": f"HostDown{n}", "severity": severity}
    alert["annotations"]["summary"] = f"host-{n} unreachable"
    alert["fingerprint"] = f"{n:016x}"
    alert["status"] = body["status"] = status
    body["commonLabels"] = dict(alert["labels"])
    body["commonAnnotations"] = dict(alert["annotations"])
    body["groupKey"] = f'{{}}:{{alertname="HostDown{n}"}}'
    return body


def send(client: TestClient, key: str, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        answer = client.post(AM, json=body, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 202, answer.text


def messages_by_incident(harness: Harness) -> dict[str, int]:
    """Apply the inbox, run the scheduler at this moment, and count each incident's
    messages (pages, heads-ups) in the outbox."""
    ctx = harness.ctx
    intake_queue.apply_all(ctx)
    harness.tick()
    harness.claimed.update(m.id for m in harness.messages())
    with ctx.db.reader() as session:
        rows = session.execute(
            select(OutboxMessage.incident_id, func.count()).group_by(OutboxMessage.incident_id)
        ).all()
        references = dict(session.execute(select(Incident.id, Incident.reference)).all())
    return {references[incident_id]: count for incident_id, count in rows}


def storm_of(ctx: Context) -> Any:
    [storm] = [i for i in ctx.read(reading.list_incidents, status="all") if "storm" in i.title]
    return storm


def test_the_eleventh_new_group_within_five_minutes_joins_the_storm_and_pages_nobody_new(
    app_client, key, ctx, harness: Harness
) -> None:
    send(app_client, key, *(group(n) for n in range(1, 11)))
    before = messages_by_incident(harness)
    assert len(before) == 10, "the first ten groups each open an incident and page"
    harness.clock.advance(timedelta(minutes=1))
    send(app_client, key, group(11))
    with_storm = messages_by_incident(harness)
    storm = storm_of(ctx)
    assert storm.title == "Alert storm: 1 group from prom"
    assert with_storm[storm.reference] > 0, "the storm incident itself is paged"
    send(app_client, key, *(group(n) for n in range(12, 31)))
    after = messages_by_incident(harness)
    assert after == with_storm, "the nineteen groups after it page nobody new"
    assert len(ctx.read(reading.list_incidents, status="all")) == 11
    detail = ctx.read(reading.get_incident, storm.reference)
    assert detail.title == "Alert storm: 20 groups from prom"
    assert detail.storm and len(detail.alert_groups) == 20
    assert {g.title for g in detail.alert_groups} >= {"HostDown11: host-11 unreachable"}


def test_a_burst_applied_in_one_batch_counts_every_group_it_opens(app_client, key, ctx) -> None:
    send(app_client, key, *(group(n) for n in range(1, 51)))
    assert intake_queue.pending(ctx) == 50
    assert intake_queue.apply_waiting(ctx).payloads == 50, "one applying transaction"
    assert len(ctx.read(reading.list_incidents, status="all")) == 11
    assert len(ctx.read(reading.get_incident, storm_of(ctx).reference).alert_groups) == 40


def test_the_count_survives_a_restart_since_it_is_read_from_the_database(
    app_client, key, ctx
) -> None:
    from warroom.api.app import create_app

    send(app_client, key, *(group(n) for n in range(1, 11)))
    intake_queue.apply_all(ctx)
    restarted = Context(db=ctx.db, playbook=ctx.playbook, clock=ctx.clock, settings=ctx.settings)
    with TestClient(create_app(restarted)) as client:
        send(client, key, group(11))
    intake_queue.apply_all(restarted)
    assert storm_of(ctx).title == "Alert storm: 1 group from prom"


def test_groups_past_the_window_open_their_own_incidents_again(app_client, key, ctx) -> None:
    send(app_client, key, *(group(n) for n in range(1, 11)))
    intake_queue.apply_all(ctx)
    ctx.clock.advance(timedelta(minutes=5, seconds=1))
    send(app_client, key, group(11))
    intake_queue.apply_all(ctx)
    titles = [i.title for i in ctx.read(reading.list_incidents, status="all")]
    assert len(titles) == 11 and not any("storm" in t for t in titles)


def test_a_sev1_group_raises_the_storm_to_sev1_and_its_repeats_and_resolves_stay_there(
    app_client, key, ctx
) -> None:
    send(app_client, key, *(group(n) for n in range(1, 12)))
    intake_queue.apply_all(ctx)
    storm = storm_of(ctx)
    assert storm.severity == 3
    send(app_client, key, group(12, severity="critical"))
    send(app_client, key, group(12, severity="critical"), group(12, status="resolved"))
    intake_queue.apply_all(ctx)
    assert len(ctx.read(reading.list_incidents, status="all")) == 11, "never a new incident"
    detail = ctx.read(reading.get_incident, storm.reference)
    assert detail.severity == 1
    timeline = ctx.read(reading.get_timeline, storm.reference)
    raised = [e for e in timeline if e.kind == "severity_changed"]
    assert len(raised) == 1 and "a Sev1 alert group joined the storm" in raised[0].data["reason"]
    [twelve] = [g for g in detail.alert_groups if "HostDown12" in g.title]
    assert (twelve.alerts, twelve.firing) == (1, 0)


def test_after_the_storm_is_resolved_the_next_storm_opens_a_new_one(app_client, key, ctx) -> None:
    send(app_client, key, *(group(n) for n in range(1, 13)))
    intake_queue.apply_all(ctx)
    first = storm_of(ctx)
    ctx.transact(incidents.resolve, first.reference, resolution="link fixed", actor="sre")
    send(app_client, key, group(13), group(11, status="firing"))
    intake_queue.apply_all(ctx)
    storms = [i for i in ctx.read(reading.list_incidents, status="all") if "storm" in i.title]
    assert len(storms) == 2
    newest = next(s for s in storms if s.reference != first.reference)
    assert newest.status == "investigating"
    assert newest.title == "Alert storm: 1 group from prom", "13 joins; 11's repeat adds nothing"


def test_splitting_a_group_gives_it_its_own_paged_incident_and_both_timelines_say_so(
    app_client, api, key, ctx, harness: Harness
) -> None:
    send(app_client, key, *(group(n) for n in range(1, 13)))
    before = messages_by_incident(harness)
    storm = storm_of(ctx)
    twelve = group(12)["groupKey"]
    answer = api.post(f"/api/v1/incidents/{storm.reference}/split", json={"group_key": twelve})
    assert answer.status_code == 201, answer.text
    split = answer.json()
    own = split["incident"]["reference"]
    assert (split["alerts"], split["incident"]["title"]) == (1, "HostDown12: host-12 unreachable")
    assert split["storm"]["title"] == "Alert storm: 1 group from prom"
    after = messages_by_incident(harness)
    assert after[own] > 0 and after[storm.reference] == before[storm.reference]
    storm_detail = ctx.read(reading.get_incident, storm.reference)
    assert [g.group_key for g in storm_detail.alert_groups] == [group(11)["groupKey"]]
    assert [a.title for a in ctx.read(reading.get_incident, own).alerts] == [
        "HostDown12: host-12 unreachable"
    ]
    said = [e.text for e in ctx.read(reading.get_timeline, storm.reference)]
    assert f"Split alert group {twelve} (1 alert) out of the storm into {own}" in said
    said = [e.text for e in ctx.read(reading.get_timeline, own)]
    assert (
        f"Alert group {twelve} (1 alert) moved here from the alert storm {storm.reference}" in said
    )
    send(app_client, key, group(12, status="resolved"))
    intake_queue.apply_all(ctx)
    assert ctx.read(reading.get_incident, own).alerts_total == 1
    assert ctx.read(reading.get_incident, own).alerts[0].status == "resolved"


def test_splitting_an_unknown_group_or_a_plain_incident_is_refused_naming_the_field(
    app_client, api, key, ctx
) -> None:
    send(app_client, key, *(group(n) for n in range(1, 12)))
    intake_queue.apply_all(ctx)
    storm = storm_of(ctx)
    unknown = api.post(f"/api/v1/incidents/{storm.reference}/split", json={"group_key": "nope"})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "group_key"
    plain = next(i for i in ctx.read(reading.list_incidents, status="all") if i != storm)
    body = {"group_key": group(1)["groupKey"]}
    refused = api.post(f"/api/v1/incidents/{plain.reference}/split", json=body)
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "reference"
    missing = api.post(f"/api/v1/incidents/{storm.reference}/split", json={})
    assert missing.status_code == 422 and "group_key" in missing.text


def test_the_storm_incident_page_lists_its_groups_with_their_keys(
    app_client, tokens, key, ctx
) -> None:
    from tests.ui_client import sign_in

    send(app_client, key, *(group(n) for n in range(1, 13)))
    intake_queue.apply_all(ctx)
    storm = storm_of(ctx)
    sign_in(app_client, tokens["viewer"])
    page = app_client.get(f"/ui/incidents/{storm.reference}").text
    assert "Alert groups of the storm" in page and page.count('class="alert-group"') == 2
    assert "HostDown12: host-12 unreachable" in page
    assert "{}:{alertname=&#34;HostDown12&#34;}" in page, "the key, escaped, to copy"


def test_with_auto_resolve_the_storm_resolves_only_when_its_last_group_resolves(key, ctx) -> None:
    from warroom.api.app import create_app

    intake = ctx.playbook.intake.model_copy(update={"auto_resolve": True})
    auto = Context(
        db=ctx.db,
        playbook=ctx.playbook.model_copy(update={"intake": intake}),
        clock=ctx.clock,
        settings=ctx.settings,
    )
    with TestClient(create_app(auto)) as client:
        send(client, key, *(group(n) for n in range(1, 13)))
        intake_queue.apply_all(auto)
        storm = storm_of(auto).reference
        send(client, key, group(11, status="resolved"))
        intake_queue.apply_all(auto)
        assert auto.read(reading.get_incident, storm).status != "resolved", "12 still fires"
        send(client, key, group(12, status="resolved"))
        intake_queue.apply_all(auto)
        assert auto.read(reading.get_incident, storm).status == "resolved"
