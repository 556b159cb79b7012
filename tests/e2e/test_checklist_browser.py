"""The checklist in real headless Chromium (Debian's): a Sev1 whose pages went out shows
page-team ticked by warroom; the responder ticks start-video and sees it ticked, by them,
and on the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NEEDS_CHROMIUM, browser_on, sign_in, ui_context
from warroom.core.playbook import Playbook
from warroom.scheduler import Scheduler
from warroom.service.incidents import lifecycle as incidents
from warroom.service.tokens import create_token

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def paged_sev1(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str, str, str]]:
    """A browser, the server's URL, a responder's token and a Sev1 whose pages were sent."""
    with ui_context(tmp_path, playbook) as ctx:
        token = ctx.transact(create_token, "on-call", "responder")
        declared = incidents.Declaration(title="Checkout returns 500", severity=1)
        reference = ctx.transact(incidents.declare, declared, actor="on-call").reference
        Scheduler(ctx, transport=lambda url, subject, body: None).tick()
        with browser_on(ctx) as (page, url):
            yield page, url, token, reference


def test_a_responder_sees_page_team_ticked_by_warroom_and_ticks_start_video(
    paged_sev1: tuple[Page, str, str, str],
) -> None:
    page, url, token, reference = paged_sev1
    sign_in(page, url, token)
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
