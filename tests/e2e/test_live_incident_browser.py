"""The incident page updates itself as events arrive (Server-Sent Events), in real headless
Chromium (Debian's): what someone else records appears without a reload, and a field being
typed in keeps its text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NEEDS_CHROMIUM, browser_on, sign_in, ui_context
from warroom.core.playbook import Playbook
from warroom.service.context import Context
from warroom.service.incidents import lifecycle, publishing
from warroom.service.tokens import create_token

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def signed_in(tmp_path: Path, playbook: Playbook) -> Iterator[tuple[Page, str, Context]]:
    with ui_context(tmp_path, playbook) as ctx:
        token = ctx.transact(create_token, "on-call", "responder")
        with browser_on(ctx) as (page, url):
            sign_in(page, url, token)
            expect(page.get_by_text("No open incidents.")).to_be_visible()
            yield page, url, ctx


def test_an_update_posted_elsewhere_appears_on_the_open_page_without_a_reload(
    signed_in: tuple[Page, str, Context],
) -> None:
    page, url, ctx = signed_in
    declaration = lifecycle.Declaration(title="Checkout returns 500", severity=1)
    reference = ctx.transact(lifecycle.declare, declaration, actor="sre-lead").reference
    page.goto(f"{url}/ui/incidents/{reference}")
    expect(page.get_by_text("not acknowledged")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    page.fill("input[name=message]", "half-typed")
    page.focus("input[name=message]")

    ctx.transact(
        publishing.post_update,
        reference,
        message="Rolled back the 14:02 deploy",
        audience="internal",
        actor="backend-lead",
    )
    ctx.transact(lifecycle.acknowledge, reference, actor="sre-lead")

    expect(page.locator("#timeline-card")).to_contain_text(
        "Rolled back the 14:02 deploy", timeout=10_000
    )
    expect(page.locator("#levels")).to_contain_text("by sre-lead", timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.input_value("input[name=message]") == "half-typed"


def test_the_stream_says_changed_once_on_connecting(
    signed_in: tuple[Page, str, Context],
) -> None:
    page, _url, ctx = signed_in
    declaration = lifecycle.Declaration(title="Slow search", severity=3)
    reference = ctx.transact(lifecycle.declare, declaration, actor="sre-lead").reference
    first = page.evaluate(
        """async (path) => {
            const stream = new EventSource(path);
            const data = await new Promise((done) =>
                stream.addEventListener("changed", (m) => done(m.data)));
            stream.close();
            return JSON.parse(data);
        }""",
        f"/ui/incidents/{reference}/events",
    )
    assert first == {"events": 5}, "the declaration and the four items it ticked"
