"""A new user's Sev1 in real headless Chromium (Debian's): an Alertmanager alert on api and
the database opens it, and its page shows the Zoom room, the runbooks' commands and the
alert with its instance and the link to the graph that fired."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.intake.conftest import fixture
from tests.server import running_server
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook
from warroom.intake import alertmanager
from warroom.intake import applier as intake
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.tokens import create_token
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.session import Database

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "responder-ui.png"
PAYLOAD = fixture("api-and-database-down.json")
API_ALERT = PAYLOAD["alerts"][0]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def alerted_page(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str]]:
    """A signed-in browser on the page of the incident the alert opened."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ui.db'}", secret="e2e")
    db = Database(settings.database_url)
    upgrade(db.engine)
    ctx = Context(db=db, playbook=playbook, clock=SystemClock(), settings=settings)
    token = ctx.transact(create_token, "on-call", "viewer")
    reference = alert(ctx)
    with running_server(ctx) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{url}/ui/login")
        page.fill("#token", token)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{url}/ui/incidents/{reference}")
        yield page, reference
        browser.close()
    db.dispose()


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
