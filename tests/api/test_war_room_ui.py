"""The incident page shows its war room: links as links, the runbooks' commands as code,
the alerts with their labels, annotations and links, and nothing a sender wrote as markup."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from tests.intake.conftest import fixture
from tests.ui_client import sign_in
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context

PAGE = "/ui/incidents/2024-01-15-001"


def post_alert(app_client: TestClient, ctx: Context, body: dict) -> None:
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    answer = app_client.post(
        "/api/v1/integrations/alertmanager", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 202, answer.text
    intake_queue.apply_all(ctx)


def test_a_sev1_page_links_its_war_room_and_shows_its_runbooks_and_alerts(
    app_client: TestClient, tokens: dict[str, str], ctx: Context
) -> None:
    post_alert(app_client, ctx, fixture("api-and-database-down.json"))
    sign_in(app_client, tokens["viewer"])
    page = app_client.get(PAGE).text
    assert '<a href="https://zoom.us/my/alchemorsel-incident-room"' in page
    assert '<a href="https://status.alchemorsel.com"' in page
    assert "Microsoft Teams" in page and "Slack #incidents" in page
    assert "<pre><code>kubectl get pods -n alchemorsel -o wide</code></pre>" in page
    assert "Check database connections" in page
    assert "api-7f9c:8080" in page and "connections refused on postgres-0" in page
    assert '<a href="https://runbooks.example.invalid/APIDown"' in page
    assert "/#/silences/new?filter=%7Balertname%3D%22APIDown%22" in page


def test_what_an_alert_s_sender_wrote_never_becomes_markup_or_a_script_link(
    app_client: TestClient, tokens: dict[str, str], ctx: Context
) -> None:
    body = copy.deepcopy(fixture("api-and-database-down.json"))
    first = body["alerts"][0]
    first["labels"]["instance"] = "<img src=x onerror=alert(1)>"
    first["annotations"]["runbook_url"] = "javascript:alert(document.cookie)"
    post_alert(app_client, ctx, body)
    sign_in(app_client, tokens["viewer"])
    page = app_client.get(PAGE).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "javascript:alert(document.cookie)" in page, "shown as the annotation it is"
