"""Storm folding (issue 21): 500 new Sev1 Alertmanager groups within a minute, sent to a
running `warroom serve` (fresh SQLite file, the built-in playbook with every contact sent to
loopback sinks in their own processes), counting the messages the sinks receive: once with
folding off (`intake.storm.new_incidents` set far past the burst) and once with the
built-in default (10 new incidents within 5m). The playbook is not compressed, so what is
counted is what declaration sends (pages and heads-ups), not the contact protocol's retries:
the messages warroom queued (its outbox, read once the burst is applied and the count has
settled) and those the sinks received by then (delivery may still be behind).

Run: `python -m bench storm_folding` (env: BENCH_FOLD_GROUPS=500, BENCH_FOLD_SEND_S=30 the
bounded sending loop, BENCH_FOLD_SETTLE_S=10 quiet seconds that end the count, at most
BENCH_FOLD_WAIT_S=90).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import func, select

from bench.storm import WARROOM, _start, _stop, _wait_http, free_port, records, sinks
from warroom.store.models import OutboxMessage
from warroom.store.session import Database

GROUPS = int(os.environ.get("BENCH_FOLD_GROUPS", "500"))
SEND_S = float(os.environ.get("BENCH_FOLD_SEND_S", "30"))
SETTLE_S = float(os.environ.get("BENCH_FOLD_SETTLE_S", "10"))
WAIT_S = float(os.environ.get("BENCH_FOLD_WAIT_S", "90"))
OFF = 1_000_000  # new incidents within the window: folding never starts


def main() -> None:
    print(f"{GROUPS} new Sev1 alert groups within {SEND_S:.0f}s, warroom serve on SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, limit in (("folding off", OFF), ("folding on (10 within 5m)", 10)):
            queued, received, incidents = run(work / str(limit), limit)
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(queued.items()))
            print(
                f"{name}: {incidents} incidents; {sum(queued.values())} messages queued"
                f" ({kinds}); {received} received at the sinks",
                flush=True,
            )


def run(work: Path, limit: int) -> tuple[dict[str, int], int, int]:
    with sinks(work) as (smtp_port, hook_port, smtp_log, hook_log):
        playbook = work / "playbook.yaml"
        _playbook(playbook, limit, smtp_port, hook_port)
        port = free_port()
        env = {
            **os.environ,
            "WARROOM_DATABASE_URL": f"sqlite:///{work / 'fold.db'}",
            "WARROOM_PLAYBOOK": str(playbook),
            "WARROOM_SECRET": "bench-fold",
            "WARROOM_URL": f"http://127.0.0.1:{port}",
        }
        serve = _start(["serve", "--port", str(port)], env, work / "serve.log")
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/healthz", serve)
            key = _cli(env, "integration", "create", "--type", "alertmanager", "--name", "prom")
            token = _cli(env, "token", "create", "--name", "fold", "--role", "viewer")
            _send(base, key)
            messages = _settled(smtp_log, hook_log)
            listed = httpx.get(
                f"{base}/api/v1/incidents",
                params={"status": "all", "limit": 1000},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ).json()
        finally:
            _stop(serve)
    return _queued(env["WARROOM_DATABASE_URL"]), messages, len(listed)


def _queued(url: str) -> dict[str, int]:
    """The outbox's messages by kind: every message warroom decided to send."""
    db = Database(url)
    try:
        with db.reader() as session:
            statement = select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
            return {kind: int(n) for kind, n in session.execute(statement).all()}
    finally:
        db.dispose()


def _playbook(path: Path, limit: int, smtp_port: int, hook_port: int) -> None:
    exported = subprocess.run(
        [WARROOM, "playbook", "export"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    data = yaml.safe_load(exported)
    for person_id, person in data["people"].items():
        for contact in person["contacts"]:
            if contact["method"] != "email":
                contact["address"] = f"{person_id}.{contact['method']}"
    hook = f"json://127.0.0.1:{hook_port}/p/{{address}}"
    data["channels"] = {
        "email": f"mailto://127.0.0.1:{smtp_port}?from=warroom@localhost&to={{address}}",
        **dict.fromkeys(("webhook", "slack", "sms", "phone", "teams"), hook),
    }
    data["intake"]["storm"] = {"new_incidents": limit, "within": "5m"}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def _cli(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [WARROOM, *argv], env=env, check=True, capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip().split()[-1]


def _group(n: int) -> dict[str, Any]:
    labels = {"alertname": f"LinkDown{n}", "instance": f"edge-{n}:9100", "severity": "critical"}
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="LinkDown{n}"}}',
        "status": "firing",
        "receiver": "warroom",
        "groupLabels": {"alertname": labels["alertname"]},
        "commonLabels": labels,
        "commonAnnotations": {"summary": f"edge-{n} unreachable"},
        "externalURL": "http://alertmanager.invalid",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": f"edge-{n} unreachable"},
                "startsAt": "2026-12-07T00:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"{n:016x}",
            }
        ],
    }


def _send(base: str, key: str) -> None:
    """GROUPS groups, evenly over SEND_S seconds; every answer must be 2xx."""
    gap = SEND_S / GROUPS
    started = time.monotonic()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        for n in range(GROUPS):
            answer = client.post("/api/v1/integrations/alertmanager", json=_group(n), timeout=30)
            answer.raise_for_status()
            time.sleep(max(0.0, started + (n + 1) * gap - time.monotonic()))


def _settled(*logs: Path) -> int:
    """Messages at the sinks once none arrived for SETTLE_S (WAIT_S at most)."""
    deadline, count, changed = time.monotonic() + WAIT_S, -1, time.monotonic()
    while time.monotonic() < deadline:
        now_count = len(records(*logs))
        if now_count != count:
            count, changed = now_count, time.monotonic()
        elif time.monotonic() - changed >= SETTLE_S:
            break
        time.sleep(0.5)
    return count
