"""Nothing answered 2xx is lost: `warroom serve` killed with SIGKILL while senders post
alerts, then started again, applies every payload it had accepted (real processes, SQLite,
loopback only)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from tests.e2e.loopback import free_port, wait_for
from warroom.core.playbook_file import builtin_playbook_text

WARROOM = str(Path(sys.executable).parent / "warroom")
SENDERS = 4
EVENTS_PER_SENDER = 400  # bounded: each sender stops at this many, or when the server dies


def start_serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [WARROOM, "serve", "--port", env["PORT"]],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert wait_for(lambda: _alive(env), 30), "warroom serve did not start"
    return process


def _alive(env: dict[str, str]) -> bool:
    try:
        return httpx.get(f"{env['URL']}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def send_until_refused(env: dict[str, str], key: str, sender: int, accepted: list[str]) -> None:
    """Post distinct alerts to one group; note the title of every one answered 202."""
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=env["URL"], headers=headers, timeout=5) as client:
        for n in range(EVENTS_PER_SENDER):
            title = f"sender {sender} alert {n}"
            body = {"title": title, "dedup_key": f"sender-{sender}", "severity": "warning"}
            try:
                answer = client.post("/api/v1/integrations/generic", json=body)
            except httpx.HTTPError:
                return  # the server was killed: this one may or may not have been kept
            if answer.status_code == 202:
                accepted.append(title)


def stored_titles(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {title for (title,) in connection.execute("SELECT title FROM alerts")}


def inbox_empty(database: Path) -> bool:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM intake_inbox").fetchone()[0] == 0


def test_every_alert_answered_202_is_applied_after_a_sigkill_and_restart(tmp_path) -> None:
    database = tmp_path / "warroom.db"
    playbook = tmp_path / "playbook.yaml"
    unlimited = re.sub(r"rate_limit_per_minute: \d+", "rate_limit_per_minute: 1000000",
                       builtin_playbook_text())  # fmt: skip
    playbook.write_text(unlimited, "utf-8")
    port = free_port()
    env = {
        **os.environ,
        "WARROOM_DATABASE_URL": f"sqlite:///{database}",
        "WARROOM_PLAYBOOK": str(playbook),
        "WARROOM_SECRET": "e2e-secret",
        "PORT": str(port),
        "URL": f"http://127.0.0.1:{port}",
    }
    key = subprocess.run(
        [WARROOM, "integration", "create", "--type", "generic", "--name", "load"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    server = start_serve(env)
    accepted: list[str] = []
    senders = [
        threading.Thread(target=send_until_refused, args=(env, key, n, accepted))
        for n in range(SENDERS)
    ]
    for sender in senders:
        sender.start()
    assert wait_for(lambda: len(accepted) >= 200, 60), "the load did not get going"
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    for sender in senders:
        sender.join(timeout=30)
    assert len(accepted) < SENDERS * EVENTS_PER_SENDER, "killed mid-load, not after it"

    restarted = start_serve(env)
    try:
        assert wait_for(lambda: inbox_empty(database), 60), "the inbox was not applied"
        missing = set(accepted) - stored_titles(database)
        assert not missing, f"{len(missing)} alerts answered 202 were lost: {sorted(missing)[:5]}"
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=15)
