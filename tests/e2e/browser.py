"""What the browser tests share: Debian's Chromium, launched headless against a running
warroom on a fresh SQLite file, and signing in as a person does."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.server import running_server
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook
from warroom.service.context import Context
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
NEEDS_CHROMIUM = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@contextmanager
def ui_context(tmp_path: Path, playbook: Playbook) -> Iterator[Context]:
    """A context on a fresh SQLite file with the real clock, as `warroom serve` has."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ui.db'}", secret="e2e")
    db = Database(settings.database_url)
    upgrade(db.engine)
    try:
        yield Context(db=db, playbook=playbook, clock=SystemClock(), settings=settings)
    finally:
        db.dispose()


@contextmanager
def browser_on(ctx: Context) -> Iterator[tuple[Page, str]]:
    """A headless Chromium page and the URL of a warroom serving `ctx`."""
    with running_server(ctx) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 1200, "height": 900}), url
        finally:
            browser.close()


def sign_in(page: Page, url: str, token: str) -> None:
    page.goto(f"{url}/ui/login")
    page.fill("#token", token)
    page.get_by_role("button", name="Sign in").click()
