"""The responders' web UI in real headless Chromium (Debian's): sign in with a token,
declare a Sev1 from the form, acknowledge it, and read the timeline and countdowns; sign
out, after which the old cookie signs nobody in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NEEDS_CHROMIUM, browser_on, ui_context
from warroom.core.playbook import Playbook
from warroom.service.tokens import create_token

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def page_and_token(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str, str]]:
    with ui_context(tmp_path, playbook) as ctx:
        token = ctx.transact(create_token, "on-call", "responder")
        with browser_on(ctx) as (page, url):
            yield page, url, token


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
