"""The checklist in real headless Chromium (Debian's): a Sev1 whose pages went out shows
page-team ticked by warroom; the responder ticks start-video and sees it ticked, by them,
and on the timeline."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.server import running_server
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
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
def paged_sev1(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str, str, str]]:
    """A browser, the server's URL, a responder's token and a Sev1 whose pages were sent."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ui.db'}", secret="e2e")
    db = Database(settings.database_url)
    upgrade(db.engine)
    ctx = Context(db=db, playbook=playbook, clock=SystemClock(), settings=settings)
    token = ctx.transact(create_token, "on-call", "responder")
    declared = incidents.Declaration(title="Checkout returns 500", severity=1)
    reference = ctx.transact(incidents.declare, declared, actor="on-call").reference
    Scheduler(ctx, transport=lambda url, subject, body: None).tick()
    with running_server(ctx) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page, url, token, reference
        browser.close()
    db.dispose()


def test_a_responder_sees_page_team_ticked_by_warroom_and_ticks_start_video(
    paged_sev1: tuple[Page, str, str, str],
) -> None:
    page, url, token, reference = paged_sev1
    page.goto(f"{url}/ui/login")
    page.fill("#token", token)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{url}/ui/incidents/{reference}")

    checklist = page.locator("#checklist")
    expect(checklist.get_by_role("heading", name="1.3 Incident Declaration")).to_be_visible()
    page_team = page.locator("#item-page-team")
    expect(page_team).to_have_attribute("data-done", "true")
    expect(page_team).to_contain_text("warroom")

    video = page.locator("#item-start-video")
    expect(video).to_have_attribute("data-done", "false")
    page.get_by_role("button", name="Tick: Start video conference call").click()
    expect(page.get_by_role("status")).to_have_text("Ticked “Start video conference call”")
    expect(video).to_have_attribute("data-done", "true")
    expect(video).to_contain_text("on-call")
    expect(page.get_by_role("button", name="Untick: Start video conference call")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Start video conference call")
