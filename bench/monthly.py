"""Monthly incident review at scale: 100,000 incidents with 1,000,000 timeline events.

Seeds a fresh SQLite file and the PostgreSQL bench database with the same generated data
(bulk Core inserts), then times the monthly review of the busiest month on each.
Target: <= 2 s each. Sizes: BENCH_INCIDENTS (default 100000), events are 10 per incident.
Run: `.venv/bin/python -m bench monthly`.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, insert, text

from warroom.clock import ManualClock
from warroom.core.playbook_file import load_playbook
from warroom.service.context import Context
from warroom.service.reports import monthly as reports
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.models import Incident, TimelineEvent
from warroom.store.post_models import ActionItem
from warroom.store.session import Database

POSTGRES_URL = os.environ.get(
    "WARROOM_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/warroom_post"
)
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "100000"))
EVENTS_PER_INCIDENT = 10
BATCH = 5_000
START = datetime(2022, 1, 1, tzinfo=UTC)
MONTHS = 24
BUSIEST = "2023-03"
KINDS = ("acknowledged", "update_posted", "page_sent", "status_changed", "resolution_attempt")


def _declared(rng: random.Random) -> datetime:
    """Spread over 24 months, with a fifth of everything in the busiest month."""
    if rng.random() < 0.2:
        base = datetime(2023, 3, 1, tzinfo=UTC)
        return base + timedelta(seconds=rng.randrange(31 * 86400))
    return START + timedelta(seconds=rng.randrange(MONTHS * 30 * 86400))


def _incident(n: int, rng: random.Random, services: list[str]) -> dict[str, Any]:
    declared = _declared(rng)
    severity = rng.choice((1, 2, 2, 3, 3, 3, 4))
    ack = declared + timedelta(seconds=rng.randrange(60, 3600))
    resolved = ack + timedelta(seconds=rng.randrange(600, 6 * 3600))
    return {
        "id": n,
        "reference": f"{declared:%Y-%m-%d}-{n:06d}",
        "channel": f"incident-{n}",
        "title": f"Generated incident {n}",
        "summary": "",
        "severity": severity,
        "status": "resolved",
        "source": rng.choice(("manual", "alertmanager", "grafana")),
        "services": rng.sample(services, k=rng.randint(1, 2)),
        "roles": {},
        "impact": {},
        "drill": rng.random() < 0.01,
        "retrospective": True,
        "detected_at": declared - timedelta(seconds=rng.randrange(0, 900)),
        "declared_at": declared,
        "acknowledged_at": ack,
        "acknowledged_by": "bench",
        "mitigated_at": resolved,
        "resolved_at": resolved,
        "resolution": "fixed",
        "root_cause": None,
        "last_event_at": resolved,
        "event_count": EVENTS_PER_INCIDENT,
    }


def _events(incident: dict[str, Any], rng: random.Random) -> Iterator[dict[str, Any]]:
    span = (incident["resolved_at"] - incident["declared_at"]).total_seconds()
    for seq in range(1, EVENTS_PER_INCIDENT + 1):
        at = incident["declared_at"] + timedelta(seconds=span * (seq - 1) / EVENTS_PER_INCIDENT)
        kind = (
            "declared"
            if seq == 1
            else "resolved"
            if seq == EVENTS_PER_INCIDENT
            else rng.choice(KINDS)
        )
        yield {
            "incident_id": incident["id"],
            "seq": seq,
            "at": at,
            "recorded_at": at,
            "actor": "bench",
            "kind": kind,
            "data": {"n": seq},
        }


def seed(db: Database, label: str, services: list[str]) -> float:
    rng = random.Random(42)
    started = time.perf_counter()
    columns = (
        TextColumn(f"seeding {label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as progress, db.engine.begin() as connection:
        task = progress.add_task("seed", total=INCIDENTS)
        for first in range(1, INCIDENTS + 1, BATCH):
            batch = [
                _incident(n, rng, services) for n in range(first, min(first + BATCH, INCIDENTS + 1))
            ]
            connection.execute(insert(Incident), batch)
            connection.execute(insert(TimelineEvent), [e for i in batch for e in _events(i, rng)])
            items = [
                {
                    "incident_id": i["id"],
                    "title": "follow up",
                    "owner": "sre-lead",
                    "due_at": i["resolved_at"] + timedelta(days=14),
                    "status": rng.choice(("open", "done")),
                    "created_at": i["resolved_at"],
                    "revision": 0,
                }
                for i in batch[::10]
            ]
            connection.execute(insert(ActionItem), items)
            progress.advance(task, len(batch))
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def time_review(ctx: Context) -> dict[str, float]:
    figures = {}
    for fmt in ("json", "html"):
        started = time.perf_counter()
        if fmt == "json":
            report = ctx.read(reports.monthly_report, BUSIEST)
        else:
            ctx.read(reports.monthly_rendered, BUSIEST, "html")
        figures[fmt] = time.perf_counter() - started
    figures["incidents"] = report["incidents"]["total"]
    return figures


def _context(url: str) -> Context:
    db = Database(url)
    clock = ManualClock(datetime(2024, 6, 1, tzinfo=UTC))
    return Context(
        db=db,
        playbook=load_playbook(),
        clock=clock,
        settings=Settings(database_url=url, secret="bench"),
    )


def _fresh_postgres() -> bool:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        return True
    except Exception as exc:
        print(f"PostgreSQL unavailable ({exc.__class__.__name__}); SQLite only")
        return False


def main() -> None:
    services = list(load_playbook().services) or ["api"]
    results: dict[str, tuple[float, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        targets = [("sqlite", url)] + ([("postgresql", POSTGRES_URL)] if _fresh_postgres() else [])
        for label, target in targets:
            ctx = _context(target)
            upgrade(ctx.db.engine)
            seeded = seed(ctx.db, label, services)
            results[label] = (seeded, time_review(ctx))
            ctx.db.dispose()
    print(
        f"{INCIDENTS:,} incidents, {INCIDENTS * EVENTS_PER_INCIDENT:,} timeline events; "
        f"busiest month {BUSIEST}"
    )
    for label, (seeded, figures) in results.items():
        verdict = "OK" if figures["json"] <= 2.0 else "OVER TARGET"
        print(
            f"{label:>10}: seeded in {seeded:6.1f} s; monthly review of "
            f"{int(figures['incidents']):,} incidents: json {figures['json']:.3f} s "
            f"({verdict}, target <= 2 s), "
            f"html with charts {figures['html']:.3f} s"
        )
