"""The cross-site probe in real Chromium: a page on another port of the same host (the same
site, so the SameSite=Lax cookie goes along) auto-submits a `text/plain` form to post a
public update. The origin check refuses it and the timeline stays as it was."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.server import running_server
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook
from warroom.service.context import Context
from warroom.service.incidents import lifecycle, reading
from warroom.service.tokens import create_token
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.session import Database

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]

ATTACK = """<!doctype html><form id="attack" method="post" enctype="text/plain" action="{action}">
<input name="message" value="pwned&audience=public"></form>
<script>document.getElementById("attack").submit()</script>"""


@contextmanager
def attacker_page(html: str) -> Iterator[str]:
    """Serve `html` at a URL of its own, on another port of 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_cross_site_text_plain_form_with_the_cookie_posts_no_update(
    tmp_path: Path, playbook: Playbook
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ui.db'}", secret="e2e")
    db = Database(settings.database_url)
    upgrade(db.engine)
    ctx = Context(db=db, playbook=playbook, clock=SystemClock(), settings=settings)
    token = ctx.transact(create_token, "on-call", "responder")
    ref = ctx.transact(
        lifecycle.declare, lifecycle.Declaration(title="Checkout down", severity=2), actor="test"
    ).reference
    with running_server(ctx) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{url}/ui/login")
        page.fill("#token", token)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(ref)).to_be_visible()
        with attacker_page(ATTACK.format(action=f"{url}/ui/incidents/{ref}/update")) as evil:
            page.goto(evil)
            expect(page.get_by_text("not sent from warroom's own pages")).to_be_visible()
        browser.close()
    timeline = ctx.read(reading.get_timeline, ref)
    db.dispose()
    assert not [event for event in timeline if event.kind == "update_posted"]
