"""The incident page's timeline in real headless Chromium (Debian's): each event a sentence,
people by name, and none of the keys the data is made of."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NEEDS_CHROMIUM, browser_on, sign_in, ui_context
from warroom.core.playbook import Playbook
from warroom.scheduler import Scheduler
from warroom.service.incidents import lifecycle
from warroom.service.tokens import create_token

pytestmark = NEEDS_CHROMIUM


def nothing_is_transported(url: str, subject: str, body: str) -> None:
    raise AssertionError(f"the built-in playbook has no channel, yet {url} was sent to")


@pytest.fixture
def paged_sev1(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str]]:
    """A Sev1 whose declaration pages went out (recorded: no channel), acknowledged by the
    SRE Team Lead, and a browser signed in to the server that holds it."""
    with ui_context(tmp_path, playbook) as ctx:
        token = ctx.transact(create_token, "on-call", "responder")
        declaration = lifecycle.Declaration(
            title="Checkout returns 500", severity=1, services=["api"]
        )
        ref = ctx.transact(lifecycle.declare, declaration, actor="on-call").reference
        Scheduler(ctx, transport=nothing_is_transported).tick()
        ctx.transact(lifecycle.acknowledge, ref, actor="sre-lead")
        with browser_on(ctx) as (page, url):
            sign_in(page, url, token)
            page.goto(f"{url}/ui/incidents/{ref}")
            yield page, ref


def test_a_page_with_no_channel_reads_as_recorded_for_the_person_by_name(
    paged_sev1: tuple[Page, str],
) -> None:
    page, _ = paged_sev1
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(
        "Paged SRE Team Lead by phone (+1-555-0101): recorded, no channel configured"
    )
    expect(timeline).to_contain_text("Told CTO by phone (+1-555-0301)")
    expect(timeline).to_contain_text("Declared Sev1 (Critical): Checkout returns 500")


def test_the_timeline_names_people_and_shows_no_keys(paged_sev1: tuple[Page, str]) -> None:
    page, _ = paged_sev1
    acknowledged = page.locator("#timeline tr", has_text="Acknowledged by SRE Team Lead")
    expect(acknowledged.locator("td").nth(1)).to_have_text("SRE Team Lead")
    body = page.locator("body")
    expect(body).not_to_contain_text("page:incident_commander:sre-lead:0")
    expect(body).not_to_contain_text("page_sent")
    expect(body).not_to_contain_text("delivery:")


def test_resolving_from_the_page_carries_the_prevention_onto_the_timeline(
    paged_sev1: tuple[Page, str],
) -> None:
    page, _ = paged_sev1
    page.fill("input[name=resolution]", "Rolled back release 4.2")
    page.fill("input[name=root_cause]", "A missing index")
    page.fill("input[name=prevention]", "Index checks in CI")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Resolve recorded")
    expect(page.locator("#timeline")).to_contain_text("prevention: Index checks in CI")
    expect(page.locator("pre").last).to_contain_text("Index checks in CI")
