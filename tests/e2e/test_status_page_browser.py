"""The public status page in real headless Chromium (Debian's, never a downloaded one),
served by uvicorn on a loopback port over a temporary SQLite database, with JavaScript OFF:
the page needs none."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from warroom.api.app import create_app
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing
from warroom.service.status_page import announcements as statuspage
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
PHONE = {"width": 390, "height": 844}
Live = tuple[Context, str]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "status-page.png"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Context, str]]:
    """A real server on 127.0.0.1 and the context that writes to its database."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'warroom.db'}", secret="e2e")
    db = Database(settings.database_url)
    upgrade(db.engine)
    ctx = Context(db=db, playbook=playbook, clock=SystemClock(), settings=settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # at most 10 s
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield ctx, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def _fits_the_phone(page: Page) -> None:
    """Nothing sticks out to the right on a 390 px wide phone."""
    for selector in ("#banner", "main"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_an_empty_database_shows_every_component_operational(live: Live, page: Page) -> None:
    _, url = live
    page.goto(f"{url}/status")
    assert page.title() == "Alchemorsel Status"
    assert page.locator("#banner").inner_text() == "All Systems Operational"
    assert page.locator(".component").count() == len(page.locator(".component .bars").all())
    assert page.locator(".component").count() == 6
    assert page.locator(".component .st.operational").count() == 6
    assert "No incidents in the last 90 days." in page.locator("main").inner_text()
    _fits_the_phone(page)


def test_during_and_after_a_sev1_the_page_tells_the_public_and_only_what_is_public(
    live: Live, page: Page
) -> None:
    ctx, url = live
    reference = ctx.transact(
        incidents.declare,
        incidents.Declaration(
            title="db-prod-7 checkout 500s", severity=1, services=["api", "payments"]
        ),
        actor="t",
    ).reference
    ctx.transact(
        publishing.post_update, reference, message="SECRET-internal", audience="internal", actor="t"
    )
    ctx.transact(
        publishing.post_update,
        reference,
        message="<b>Payments</b> are failing; we are on it.",
        audience="public",
        public_title="Checkout failing",
        actor="t",
    )
    now = ctx.clock.now()
    ctx.transact(
        statuspage.create_maintenance,
        title="Database upgrade",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
        components=["database"],
        actor="t",
        message="Read-only for a few minutes.",
    )
    page.goto(f"{url}/status")
    assert page.locator("#banner").inner_text() == "Major Service Outage"
    incident = page.locator(f"#incident-{reference}")
    assert "Checkout failing" in incident.inner_text()
    assert "<b>Payments</b> are failing; we are on it." in incident.inner_text()
    assert page.locator(f"#incident-{reference} b").count() == 0  # shown as text, not markup
    assert "SECRET-internal" not in page.content()
    assert "db-prod-7" not in page.content()  # the internal title
    assert page.locator("#component-api .st").inner_text() == "Major outage"
    assert "Database upgrade" in page.locator(".window").inner_text()
    _fits_the_phone(page)
    if os.environ.get("WARROOM_SCREENSHOT"):  # refresh docs/status-page.png
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    ctx.transact(incidents.resolve, reference, resolution="Rolled back the release", actor="t")
    page.goto(f"{url}/status")
    assert page.locator("#banner").inner_text() == "All Systems Operational"
    assert page.locator(".incident").count() == 0
    assert "Checkout failing" in page.locator(".past").inner_text()
    uptime = page.locator("#component-api").inner_text()
    assert "% uptime" in uptime


def test_an_active_maintenance_window_puts_its_component_under_maintenance(
    live: Live, page: Page
) -> None:
    ctx, url = live
    now = ctx.clock.now()
    ctx.transact(
        statuspage.create_maintenance,
        title="Database failover test",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        components=["database"],
        actor="t",
    )
    page.goto(f"{url}/status")
    assert page.locator("#banner").inner_text() == "Service Under Maintenance"
    assert page.locator("#component-database .st").inner_text() == "Under maintenance"
    assert "In progress" in page.locator(".window").inner_text()
    feed = page.request.get(f"{url}/api/v2/scheduled-maintenances/active.json").json()
    assert feed["scheduled_maintenances"][0]["name"] == "Database failover test"
