"""Kept reviews over HTTP: `GET /api/v1/reports` lists the reviews the scheduler made on the
1st, `GET /api/v1/reports/monthly/{period}` reads one back as it was made."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.service.test_import_and_drills import past_incident
from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents.importer import import_lines

MADE_AT = datetime(2024, 2, 1, 0, 0, 1, tzinfo=UTC)


def january_reviewed_on_the_1st(ctx: Context, clock: ManualClock) -> None:
    """One January incident, then the scheduler's run just past midnight on 1 February."""
    assert import_lines(ctx, [past_incident()]).refused == []
    scheduler = Scheduler(ctx, transport=lambda url, subject, body: None)
    scheduler.schedule_calendar()
    clock.set(MADE_AT)
    scheduler.tick()


def test_a_viewer_lists_the_kept_reviews_newest_first(
    ctx: Context, clock: ManualClock, app_client: TestClient, tokens: dict[str, str]
) -> None:
    january_reviewed_on_the_1st(ctx, clock)
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    response = app_client.get("/api/v1/reports", headers=viewer)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"kind": "monthly", "period": "2024-01", "made_at": "2024-02-01T00:00:01Z", "incidents": 1}
    ]
    assert app_client.get("/api/v1/reports").status_code == 401


def test_a_kept_review_reads_back_as_the_on_demand_json_and_its_markdown(
    ctx: Context, clock: ManualClock, api: TestClient
) -> None:
    january_reviewed_on_the_1st(ctx, clock)
    kept = api.get("/api/v1/reports/monthly/2024-01")
    assert kept.status_code == 200, kept.text
    on_demand = api.get("/api/v1/reports/monthly", params={"month": "2024-01"}).json()
    assert kept.json() == on_demand
    markdown = api.get("/api/v1/reports/monthly/2024-01", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Monthly incident review: 2024-01\n")
    assert "data:image/png;base64," in markdown.text, "the kept Markdown carries its charts"
    html = api.get("/api/v1/reports/monthly/2024-01", params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "<table>" in html.text


def test_a_month_not_reviewed_yet_is_a_404_that_says_how_to_compute_it(
    ctx: Context, clock: ManualClock, api: TestClient
) -> None:
    january_reviewed_on_the_1st(ctx, clock)
    missing = api.get("/api/v1/reports/monthly/2024-02")
    assert missing.status_code == 404
    message = missing.json()["error"]["message"]
    assert "no monthly review of 2024-02 is kept" in message
    assert "warroom report monthly --month 2024-02" in message
    refused = api.get("/api/v1/reports/monthly/January")
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "period"
