"""`warroom serve --workers 2`: two serving processes on one port, the scheduler once (real
processes, SQLite, loopback only)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from tests.e2e.loopback import free_port, wait_for

WARROOM = str(Path(sys.executable).parent / "warroom")
GROUPS = 10  # within intake.storm's default (10 within 5m): no group folds into a storm
SENDERS = 4


def serving_children(pid: int) -> set[int]:
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children |= {int(c) for c in (task / "children").read_text().split()}
    return children


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def incidents_opened(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [title for (title,) in connection.execute("SELECT title FROM incidents")]


def test_two_serving_processes_share_the_port_and_alerts_open_one_incident_each(
    tmp_path: Path,
) -> None:
    database = tmp_path / "warroom.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WARROOM_DATABASE_URL": f"sqlite:///{database}",
        "WARROOM_SECRET": "e2e-secret",
        "WARROOM_PUBLIC_URL": url,
    }
    subprocess.run([WARROOM, "db", "upgrade"], env=env, check=True, capture_output=True)
    key = subprocess.run(
        [WARROOM, "integration", "create", "--type", "generic", "--name", "load"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    server = subprocess.Popen(
        [WARROOM, "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_for(lambda: answers(url), 60), "warroom serve --workers 2 did not start"
        assert wait_for(lambda: len(serving_children(server.pid)) >= 2, 30)
        refused: list[int] = []

        def send(sender: int) -> None:
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
                for group in range(sender, GROUPS, SENDERS):
                    body = {"title": f"disk full {group}", "dedup_key": f"g{group}",
                            "severity": "warning"}  # fmt: skip
                    for _repeat in range(2):  # a repeat updates its incident, never a second
                        answer = client.post("/api/v1/integrations/generic", json=body)
                        if answer.status_code != 202:
                            refused.append(answer.status_code)

        senders = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
        assert not refused
        assert wait_for(lambda: len(incidents_opened(database)) >= GROUPS, 60)
        titles = incidents_opened(database)
        assert len(titles) == len(set(titles)) == GROUPS, "one incident per group, applied once"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0, "SIGTERM stops the processes and the scheduler"
