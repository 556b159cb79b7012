"""End to end: a real `warroom serve` pages through a real SMTP server and a webhook
receiver on loopback, and its ack link acknowledges the incident."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.loopback import free_port, smtp_server, wait_for, webhook_server
from warroom.core.playbook import Contact, Playbook
from warroom.core.playbook_file import dump_playbook

pytestmark = pytest.mark.slow
WARROOM = [str(Path(sys.executable).parent / "warroom")]


def playbook_with_channels(playbook: Playbook, smtp_port: int, hook_port: int) -> Playbook:
    """sre-lead is reached by email first, backend-lead by webhook first."""
    people = dict(playbook.people)
    people["sre-lead"] = people["sre-lead"].model_copy(
        update={"contacts": [Contact(method="email", address="sre-lead@alchemorsel.com")]}
    )
    people["backend-lead"] = people["backend-lead"].model_copy(
        update={"contacts": [Contact(method="webhook", address="backend-lead")]}
    )
    channels = {
        "email": f"mailto://127.0.0.1:{smtp_port}?from=warroom@localhost&to={{address}}",
        "webhook": f"json://127.0.0.1:{hook_port}/hooks/{{address}}",
    }
    return playbook.model_copy(update={"people": people, "channels": channels})


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    port = free_port()
    return {
        **os.environ,
        "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
        "WARROOM_PLAYBOOK": str(tmp_path / "playbook.yaml"),
        "WARROOM_SECRET": "e2e-secret",
        "WARROOM_URL": f"http://127.0.0.1:{port}",
        "WARROOM_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
    }


@pytest.fixture
def serve(server_env: dict[str, str]) -> Iterator[httpx.Client]:
    yield_started: list[subprocess.Popen[bytes]] = []

    def start() -> httpx.Client:
        token = subprocess.run(
            [*WARROOM, "token", "create", "--name", "e2e", "--role", "responder"],
            env=server_env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        process = subprocess.Popen(
            [*WARROOM, "serve", "--port", server_env["PORT"]],
            env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        yield_started.append(process)
        client = httpx.Client(
            base_url=server_env["WARROOM_URL"], headers={"Authorization": f"Bearer {token}"}
        )
        assert wait_for(lambda: _alive(client), 30), "warroom serve did not start"
        return client

    yield start  # type: ignore[misc]
    for process in yield_started:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _alive(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def test_warroom_serve_pages_by_email_and_webhook_and_the_link_acknowledges(
    serve: object, server_env: dict[str, str], playbook: Playbook
) -> None:
    with smtp_server() as (smtp_port, mails), webhook_server() as (hook_port, hooks):
        pb = playbook_with_channels(playbook, smtp_port, hook_port)
        Path(server_env["WARROOM_PLAYBOOK"]).write_text(dump_playbook(pb), "utf-8")
        client = serve()  # type: ignore[operator]
        declared = client.post("/api/v1/incidents", json={"title": "Checkout down", "severity": 2})
        ref = declared.json()["reference"]

        def pages_by_mail() -> list[Any]:  # the rest: the playbook's review date has passed
            return [m for m in mails if ref in m.content.decode()]

        assert wait_for(lambda: bool(pages_by_mail()) and bool(hooks)), "no page arrived"
        [mail] = pages_by_mail()
        assert mail.rcpt_tos == ["sre-lead@alchemorsel.com"]
        text = mail.content.decode()
        assert ref in text and "Sev2" in text
        [(path, payload)] = hooks
        assert path == "/hooks/backend-lead"
        assert ref in payload["title"] and "/ack/" in payload["message"]

        link = re.search(r"(/ack/[A-Za-z0-9_.-]+)", payload["message"])
        assert link
        assert "<form" in client.get(link.group(1)).text
        assert client.post(link.group(1)).status_code == 200
        incident = client.get(f"/api/v1/incidents/{ref}").json()
        assert incident["acknowledged_by"] == "backend-lead"
        pages = client.get(f"/api/v1/incidents/{ref}/pages").json()
        assert {p["person"]: p["state"] for p in pages} == {
            "sre-lead": "sent",
            "backend-lead": "sent",
            "product-manager": "recorded",
        }
