"""Post-incident routes: post-mortem Markdown and HTML, action items, the monthly review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from warroom.clock import ManualClock

SECTIONS = [
    "Executive Summary",
    "Timeline of Events",
    "Root Cause Analysis",
    "Impact Assessment",
    "Response Evaluation",
    "Action Items",
    "Lessons Learned",
]


def declare(api: TestClient, severity: int = 2, **extra: object) -> str:
    body = {"title": "Checkout errors", "severity": severity, **extra}
    response = api.post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def resolved(api: TestClient, clock: ManualClock) -> str:
    ref = declare(api, services=["api"])
    clock.advance(timedelta(minutes=5))
    api.post(f"/api/v1/incidents/{ref}/acknowledge", json={})
    clock.advance(timedelta(minutes=30))
    response = api.post(f"/api/v1/incidents/{ref}/resolve", json={"resolution": "rolled back"})
    assert response.status_code == 200, response.text
    return ref


def test_the_postmortem_is_markdown_with_the_seven_sections(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved(api, clock)
    response = api.get(f"/api/v1/incidents/{ref}/postmortem")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    headings = [line[3:] for line in response.text.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS


def test_people_edit_sections_and_publish_to_html(api: TestClient, clock: ManualClock) -> None:
    ref = resolved(api, clock)
    edited = api.put(
        f"/api/v1/incidents/{ref}/postmortem/sections/Root Cause Analysis",
        json={"text": "A config push."},
    )
    assert edited.status_code == 200, edited.text
    assert (
        api.put(f"/api/v1/incidents/{ref}/postmortem/sections/Nope", json={"text": "x"}).json()[
            "error"
        ]["field"]
        == "section"
    )
    published = api.post(f"/api/v1/incidents/{ref}/postmortem/status", json={"status": "published"})
    assert published.json()["status"] == "published"
    html = api.get(f"/api/v1/incidents/{ref}/postmortem", params={"format": "html"})
    assert "A config push." in html.text and html.headers["content-type"].startswith("text/html")


def test_action_items_are_created_patched_and_listed_when_overdue(
    api: TestClient, clock: ManualClock, ctx: object
) -> None:
    ref = resolved(api, clock)
    created = api.post(
        f"/api/v1/incidents/{ref}/action-items",
        json={"title": "Add alert", "owner": "sre-lead", "due": "2d"},
    )
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    clock.advance(timedelta(days=3))
    overdue = api.get("/api/v1/action-items", params={"overdue": "true"}).json()
    assert [i["id"] for i in overdue] == [item_id]
    patched = api.patch(f"/api/v1/action-items/{item_id}", json={"status": "done"})
    assert patched.json()["status"] == "done"
    assert api.get("/api/v1/action-items", params={"overdue": "true"}).json() == []


def test_bad_action_items_get_a_4xx_naming_the_field(api: TestClient, clock: ManualClock) -> None:
    ref = resolved(api, clock)
    path = f"/api/v1/incidents/{ref}/action-items"
    bad_due = api.post(path, json={"title": "x", "owner": "sre-lead", "due": "whenever"})
    assert bad_due.status_code == 422 and bad_due.json()["error"]["field"] == "due"
    bad_owner = api.post(path, json={"title": "x", "owner": "ghost", "due": "1d"})
    assert bad_owner.status_code == 422 and bad_owner.json()["error"]["field"] == "owner"
    unknown = api.post(
        "/api/v1/incidents/2030-01-01-001/action-items",
        json={"title": "x", "owner": "sre-lead", "due": "1d"},
    )
    assert unknown.status_code == 404
    bad_status = api.patch("/api/v1/action-items/1", json={"status": "maybe"})
    assert bad_status.status_code in (404, 422)


def test_the_monthly_review_has_the_spec_shape_and_leaves_drills_out(
    api: TestClient, clock: ManualClock
) -> None:
    resolved(api, clock)
    declare(api, severity=1, drill=True)
    report = api.get("/api/v1/reports/monthly", params={"month": "2024-01"}).json()
    assert report["month"] == "2024-01"
    assert report["incidents"]["total"] == 1
    assert report["incidents"]["by_severity"] == {"1": 0, "2": 1, "3": 0, "4": 0}
    assert report["incidents"]["by_service"] == {"api": 1}
    assert report["time_to_acknowledge"]["2"] == {"median": 300.0, "p90": 300.0, "mean": 300.0}
    assert report["time_to_resolve"]["2"]["median"] == 2100.0
    assert report["sla"]["response"]["2"] == {"met": 1, "breached": 0}
    assert report["action_items"] == {"total": 0, "done": 0, "overdue": 0}
    assert len(report["trends"]["previous"]) == 3


def test_a_month_with_no_incidents_gives_a_valid_empty_report(api: TestClient) -> None:
    report = api.get("/api/v1/reports/monthly", params={"month": "2023-06"}).json()
    assert report["incidents"]["total"] == 0
    assert report["time_to_acknowledge"]["1"] == {"median": None, "p90": None, "mean": None}
    assert report["sla"]["resolution"]["4"] == {"met": 0, "breached": 0}
    for fmt in ("md", "html", "csv"):
        response = api.get("/api/v1/reports/monthly", params={"month": "2023-06", "format": fmt})
        assert response.status_code == 200, response.text
    bad = api.get("/api/v1/reports/monthly", params={"month": "June"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "month"


def test_the_html_review_embeds_its_charts_and_the_csv_lists_the_incidents(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved(api, clock)
    html = api.get("/api/v1/reports/monthly", params={"month": "2024-01", "format": "html"})
    assert "data:image/png;base64," in html.text
    csv = api.get("/api/v1/reports/monthly", params={"month": "2024-01", "format": "csv"}).text
    assert csv.splitlines()[0].startswith("reference,") and ref in csv


def test_a_sev4_answered_monday_0905_after_a_friday_evening_declaration_met_its_sla(
    api: TestClient, clock: ManualClock
) -> None:
    clock.set(datetime(2024, 1, 19, 18, 0, tzinfo=UTC))  # Friday, after business hours
    ref = declare(api, severity=4)
    clock.set(datetime(2024, 1, 22, 9, 5, tzinfo=UTC))  # Monday: 5 minutes of business time
    api.post(f"/api/v1/incidents/{ref}/acknowledge", json={})
    clock.set(datetime(2024, 1, 22, 10, 0, tzinfo=UTC))
    api.post(f"/api/v1/incidents/{ref}/resolve", json={"resolution": "fixed the typo"})
    report = api.get("/api/v1/reports/monthly", params={"month": "2024-01"}).json()
    assert report["sla"]["response"]["4"] == {"met": 1, "breached": 0}
    assert report["sla"]["resolution"]["4"] == {"met": 1, "breached": 0}
    evaluation = api.get(f"/api/v1/incidents/{ref}/postmortem").text
    assert "Time to acknowledge:** 5 minutes of business time" in evaluation
    assert "missed" not in evaluation
