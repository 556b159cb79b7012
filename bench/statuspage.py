"""Status page under load: 10,000 past incidents, one uvicorn worker on loopback, wrk.

Targets (issue 5): /api/v2/summary.json >= 2,000 requests/s with p99 <= 20 ms. The peer
figure is /healthz from the same server and run: the framework's own ceiling.

    .venv/bin/python -m bench statuspage
    WARROOM_BENCH_DATABASE_URL=postgresql+psycopg://... to seed and serve PostgreSQL instead.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import delete, insert

from warroom.clock import SystemClock
from warroom.core.playbook_file import load_playbook
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.models import Incident, TimelineEvent
from warroom.store.session import Database

INCIDENTS = 10_000
SPAN_DAYS = 730  # two years of history; about 1,200 incidents fall in the 90-day window
DURATION = "10s"  # every wrk run is bounded
CONNECTIONS = (10, 32)  # a busy page's concurrent readers; then a saturated server
ROUTES = ("/api/v2/summary.json", "/status", "/healthz")


def make_app() -> FastAPI:
    """uvicorn factory: the real app over WARROOM_DATABASE_URL."""
    from warroom.api.app import create_app

    settings = Settings.from_env()
    ctx = Context(Database(settings.database_url), load_playbook(), SystemClock(), settings)
    return create_app(ctx)


def seed(url: str, count: int = INCIDENTS) -> None:
    """Bulk-insert `count` resolved incidents, each with a public update and its events."""
    db = Database(url)
    upgrade(db.engine)
    services = list(load_playbook().services)
    rng = random.Random(5)
    now = datetime.now(UTC)
    incidents, events = [], []
    for n in range(1, count + 1):
        declared = now - timedelta(days=rng.uniform(0.5, SPAN_DAYS))
        resolved = declared + timedelta(minutes=rng.randint(5, 600))
        day = declared.date().isoformat()
        incidents.append(_incident(n, day, declared, resolved, rng.sample(services, 2), rng))
        events += _events(n, declared, resolved)
    with db.unit_of_work() as session:
        session.execute(delete(TimelineEvent))
        session.execute(delete(Incident))
        for start in range(0, len(incidents), 2000):
            session.execute(insert(Incident), incidents[start : start + 2000])
        for start in range(0, len(events), 5000):
            session.execute(insert(TimelineEvent), events[start : start + 5000])
    db.dispose()


def _incident(
    n: int, day: str, declared: datetime, resolved: datetime, services: list[str], rng: Any
) -> dict[str, Any]:
    return {
        "id": n,
        "reference": f"{day}-{n:05d}",
        "channel": f"incident-{day}-{n:05d}",
        "title": f"Past incident {n}",
        "summary": "internal summary",
        "severity": rng.randint(1, 4),
        "status": "resolved",
        "source": "import",
        "services": services,
        "roles": {},
        "impact": {},
        "drill": False,
        "retrospective": True,
        "detected_at": declared,
        "declared_at": declared,
        "acknowledged_at": declared + timedelta(minutes=3),
        "mitigated_at": resolved,
        "resolved_at": resolved,
        "resolution": "fixed",
        "last_event_at": resolved,
        "event_count": 3,
    }


def _events(n: int, declared: datetime, resolved: datetime) -> list[dict[str, Any]]:
    update = {"message": f"Public update for incident {n}", "audience": "public"}
    return [
        _event(n, 1, declared, "declared", {"title": f"Past incident {n}"}),
        _event(n, 2, declared + timedelta(minutes=2), "update_posted", update),
        _event(n, 3, resolved, "resolved", {"resolution": "fixed"}),
    ]


def _event(n: int, seq: int, at: datetime, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "incident_id": n,
        "seq": seq,
        "at": at,
        "recorded_at": at,
        "actor": "bench",
        "kind": kind,
        "data": data,
    }


def wrk(url: str, connections: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, requests) from one bounded wrk run."""
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{DURATION}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], count


def cpu_seconds(pid: int) -> float:
    """User + system CPU the server process has used: a figure other load cannot inflate."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(100):  # at most 20 s
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not answer")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("WARROOM_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'b.db'}"
        started = time.perf_counter()
        seed(url)
        print(f"seeded {INCIDENTS} past incidents in {time.perf_counter() - started:.1f}s")
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "bench.statuspage:make_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        command += ["--log-level", "warning", "--no-access-log"]
        env = {**os.environ, "WARROOM_DATABASE_URL": url}
        server = subprocess.Popen(command, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/healthz")
            _report(base, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _report(base: str, pid: int) -> None:
    for route in ROUTES:
        first = time.perf_counter()
        urllib.request.urlopen(base + route, timeout=60).read()  # builds the cache
        cold = (time.perf_counter() - first) * 1000
        print(f"{route}  (first request {cold:.0f} ms)")
        for connections in CONNECTIONS:
            before = cpu_seconds(pid)
            rps, p99, count = wrk(base + route, connections)
            cpu_us = (cpu_seconds(pid) - before) / count * 1e6
            print(
                f"  {connections:3} connections: {rps:7.0f} req/s  p99 {p99:7.2f} ms  "
                f"server CPU {cpu_us:4.0f} us/request (= {1e6 / cpu_us:5.0f} req/s per core)"
            )
    print(f"target: summary.json >= 2000 req/s with p99 <= 20 ms; wrk -t1 -d{DURATION}")
    print(f"peer: /healthz on the same server and run; load average {os.getloadavg()[0]:.1f}")
