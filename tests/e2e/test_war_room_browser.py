"""A new user's Sev1 in real headless Chromium (Debian's): an Alertmanager alert on api and
the database opens it, and its page shows the Zoom room, the runbooks' commands and the
alert with its instance and the link to the graph that fired."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NEEDS_CHROMIUM, browser_on, sign_in, ui_context
from tests.intake.conftest import fixture
from warroom.core.playbook import Playbook
from warroom.intake import alertmanager
from warroom.intake import applier as intake
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.tokens import create_token

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "responder-ui.png"
PAYLOAD = fixture("api-and-database-down.json")
API_ALERT = PAYLOAD["alerts"][0]

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def alerted_page(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str]]:
    """A signed-in browser on the page of the incident the alert opened."""
    with ui_context(tmp_path, playbook) as ctx:
        token = ctx.transact(create_token, "on-call", "viewer")
        reference = alert(ctx)
        with browser_on(ctx) as (page, url):
            sign_in(page, url, token)
            page.goto(f"{url}/ui/incidents/{reference}")
            yield page, reference


def alert(ctx: Context) -> str:
    """The payload applied as the inbox's applier applies it; the incident's reference."""
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    source = integration_keys.authenticate(ctx, key, "alertmanager")
    with ctx.db.unit_of_work() as session:
        note = alertmanager.parse(PAYLOAD, ctx.clock.now())
        reference = intake.apply(ctx, session, source, note).reference
    assert reference is not None
    return reference


def test_a_sev1_on_api_and_database_shows_its_zoom_room_runbooks_and_alert(
    alerted_page: tuple[Page, str],
) -> None:
    page, reference = alerted_page
    expect(page.locator("h1")).to_contain_text(f"Sev1 {reference}")
    zoom = page.locator("#war-room").get_by_role(
        "link", name="https://zoom.us/my/alchemorsel-incident-room"
    )
    expect(zoom).to_have_attribute("href", "https://zoom.us/my/alchemorsel-incident-room")

    runbooks = page.locator("#runbooks")
    expect(runbooks.locator("details[data-service=api]")).to_contain_text("Kubernetes Operations")
    command = runbooks.locator("pre code", has_text="kubectl get pods -n alchemorsel -o wide")
    expect(command.first).to_be_visible()
    expect(runbooks.locator("details[data-service=database]")).to_contain_text(
        "Check database connections"
    )

    row = page.locator(f"#alerts tr[data-fingerprint='{API_ALERT['fingerprint']}']")
    expect(row.locator("td.labels")).to_contain_text("instance=api-7f9c:8080")
    expect(row.locator("td.annotations")).to_contain_text("5xx ratio above 50% on api-7f9c:8080")
    expect(row.get_by_role("link", name="Source")).to_have_attribute(
        "href", API_ALERT["generatorURL"]
    )
    expect(row.get_by_role("link", name="Runbook")).to_have_attribute(
        "href", "https://runbooks.example.invalid/APIDown"
    )
    if os.environ.get("WARROOM_SCREENSHOT"):  # refresh docs/responder-ui.png
        page.screenshot(path=str(SCREENSHOT), full_page=True)
