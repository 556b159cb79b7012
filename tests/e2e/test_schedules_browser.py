"""The schedules page in real headless Chromium (Debian's): who is on call now, the next
two weeks as a timeline, and a responder covering the schedule through the override form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NEEDS_CHROMIUM, browser_on, sign_in, ui_context
from tests.schedule_playbook import NEW_YORK, scheduled_playbook
from warroom.service.schedules.reading import on_call_at
from warroom.service.tokens import create_token

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def schedules_page(tmp_path: Path) -> Iterator[tuple[Page, str, str, str]]:
    """A browser, the server's URL, a responder's token, and who is on call now."""
    with ui_context(tmp_path, scheduled_playbook()) as ctx:
        token = ctx.transact(create_token, "on-call", "responder")
        person = ctx.read(on_call_at, "sre-oncall").person_name or ""
        with browser_on(ctx) as (page, url):
            yield page, url, token, person


def test_a_responder_sees_who_is_on_call_and_covers_the_schedule(
    schedules_page: tuple[Page, str, str, str],
) -> None:
    page, url, token, person = schedules_page
    sign_in(page, url, token)
    page.get_by_role("link", name="On call").click()
    schedule = page.locator("#schedule-sre-oncall")
    expect(schedule.locator(".oncall-now")).to_contain_text(person)
    expect(
        schedule.get_by_label("The next two weeks of sre-oncall").locator(".shift").first
    ).to_contain_text(person)

    start = datetime.now(NEW_YORK).replace(second=0, microsecond=0) - timedelta(hours=1)
    schedule.get_by_label("Who covers").select_option("cto")
    schedule.get_by_label("From (America/New_York)").fill(f"{start:%Y-%m-%dT%H:%M}")
    schedule.get_by_label("Until").fill(f"{start + timedelta(hours=3):%Y-%m-%dT%H:%M}")
    schedule.get_by_role("button", name="Add override").click()

    expect(page.get_by_role("status")).to_have_text("CTO covers sre-oncall")
    expect(schedule.locator(".oncall-now")).to_contain_text("CTO")
    expect(schedule.locator("table.overrides")).to_contain_text("on-call")
