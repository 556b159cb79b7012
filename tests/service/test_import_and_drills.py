"""Import of past incidents (JSON Lines) and the scoring of drills."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import reading
from warroom.service.incidents.importer import import_lines
from warroom.service.post_incident import postmortem
from warroom.service.reports import drills
from warroom.service.reports import monthly as reports
from warroom.store.models import OutboxMessage, Timer


def past_incident(**extra: object) -> str:
    line = {
        "title": "Database failover",
        "severity": 1,
        "declared_at": "2024-01-03T10:00:00Z",
        "detected_at": "2024-01-03T09:55:00Z",
        "services": ["api"],
        "events": [
            {"kind": "acknowledged", "at": "2024-01-03T10:05:00Z", "actor": "alice"},
            {"kind": "page_sent", "at": "2024-01-03T10:06:00Z", "data": {"person": "sre-lead"}},
            {
                "kind": "resolution_attempt",
                "at": "2024-01-03T10:20:00Z",
                "data": {"action": "failover", "outcome": "succeeded"},
            },
            {
                "kind": "resolved",
                "at": "2024-01-03T10:40:00Z",
                "data": {"resolution": "failed over", "root_cause": "disk full"},
            },
        ],
        **extra,
    }
    return json.dumps(line)


def test_an_imported_incident_is_a_record_that_pages_and_reminds_no_one(
    ctx: Context, clock: ManualClock
) -> None:
    result = import_lines(ctx, [past_incident()])
    assert result.refused == []
    (ref,) = result.imported
    detail = ctx.read(reading.get_incident, ref)
    assert detail.retrospective and detail.status == "resolved"
    assert (detail.declared_at - detail.detected_at) == timedelta(minutes=5)
    timeline = ctx.read(reading.get_timeline, ref)
    assert [e.kind for e in timeline if e.kind != "checklist_ticked"][:3] == [
        "declared",
        "acknowledged",
        "page_sent",
    ]
    assert ctx.read(postmortem.get_postmortem, ref).status == "draft"
    with ctx.db.unit_of_work() as session:
        assert session.execute(select(OutboxMessage)).scalars().all() == []
        assert session.execute(select(Timer)).scalars().all() == []
    report = ctx.read(reports.monthly_report, "2024-01")
    assert report["time_to_detect"]["1"]["median"] == 300.0
    assert report["time_to_acknowledge"]["1"]["median"] == 300.0


def test_malformed_import_lines_are_refused_one_by_one_with_line_numbers(
    ctx: Context, clock: ManualClock
) -> None:
    lines = [
        past_incident(),
        "{not json",
        "",
        json.dumps({"title": "No time", "severity": 2}),
        past_incident(severity=9),
        json.dumps(
            {
                "title": "Backwards",
                "severity": 3,
                "declared_at": "2024-01-05T10:00:00Z",
                "events": [{"kind": "acknowledged", "at": "2024-01-05T09:00:00Z"}],
            }
        ),
        past_incident(title="Second good one"),
        past_incident(
            events=[
                {
                    "kind": "role_assigned",
                    "at": "2024-01-03T10:01:00Z",
                    "data": {"role": "juggler", "person": "sre-lead"},
                }
            ]
        ),
    ]
    result = import_lines(ctx, lines)
    assert len(result.imported) == 2
    refused = dict(result.refused)
    assert sorted(refused) == [2, 4, 5, 6, 8]
    assert "not JSON" in refused[2]
    assert "declared_at" in refused[4]
    assert "severity" in refused[5]
    assert "out of order" in refused[6]
    assert "unknown role" in refused[8]
    assert (
        ctx.read(reading.list_incidents, status="all")
        and len(ctx.read(reading.list_incidents, status="all")) == 2
    )


def test_a_drill_is_scored_on_first_page_roles_and_first_update(
    ctx: Context, clock: ManualClock
) -> None:
    line = {
        "title": "Quarterly game day",
        "severity": 2,
        "drill": True,
        "declared_at": "2024-01-10T10:00:00Z",
        "events": [
            {"kind": "page_sent", "at": "2024-01-10T10:01:00Z", "data": {"person": "sre-lead"}},
            {
                "kind": "role_assigned",
                "at": "2024-01-10T10:03:00Z",
                "data": {"role": "incident_commander", "person": "sre-lead"},
            },
            {
                "kind": "update_posted",
                "at": "2024-01-10T10:10:00Z",
                "data": {"message": "investigating"},
            },
        ],
    }
    assert import_lines(ctx, [json.dumps(line)]).refused == []
    (score,) = ctx.read(drills.drill_scores)
    assert score["time_to_first_page"] == 60.0
    assert score["roles_assigned"] == 1
    assert score["first_update_on_time"] is True
    assert ctx.read(reports.monthly_report, "2024-01")["incidents"]["total"] == 0
