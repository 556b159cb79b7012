"""The responders' web UI in real headless Chromium (Debian's): sign in with a token,
declare a Sev1 from the form, acknowledge it, and read the timeline and countdowns; sign
out, after which the old cookie signs nobody in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.server import running_server
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook
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

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def page_and_token(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str, str]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ui.db'}", secret="e2e")
    db = Database(settings.database_url)
    upgrade(db.engine)
    ctx = Context(db=db, playbook=playbook, clock=SystemClock(), settings=settings)
    token = ctx.transact(create_token, "on-call", "responder")
    with running_server(ctx) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page, url, token
        browser.close()
    db.dispose()


def test_a_responder_declares_and_acknowledges_a_sev1_in_the_browser(
    page_and_token: tuple[Page, str, str],
) -> None:
    page, url, token = page_and_token
    page.goto(f"{url}/ui")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.fill("#token", token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("No open incidents.")).to_be_visible()

    page.fill("#title", "Checkout returns 500")
    page.select_option("#severity", "1")
    page.fill("#services", "payments, api")
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("status")).to_have_text("Incident declared")
    expect(page.locator("h1")).to_contain_text("Checkout returns 500")
    expect(page.get_by_text("not acknowledged")).to_be_visible()

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Acknowledge recorded")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Declared Sev1 (Critical): Checkout returns 500")
    expect(timeline).to_contain_text("Acknowledged by on-call")
    expect(page.locator("pre").filter(has_text="INCIDENT ALERT")).to_be_visible()


def test_signing_out_in_the_browser_ends_the_session_its_cookie_named(
    page_and_token: tuple[Page, str, str],
) -> None:
    page, url, token = page_and_token
    page.goto(f"{url}/ui/login")
    page.fill("#token", token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("No open incidents.")).to_be_visible()
    (cookie,) = page.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and token not in cookie["value"]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.context.add_cookies([cookie])
    page.goto(f"{url}/ui")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
