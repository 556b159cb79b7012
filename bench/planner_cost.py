"""What one escalation step costs the timer lane (issue 21's planner lane), per database.

N Sev2 incidents declared on a virtual clock (their declaration pages drained), then the
clock moved past their first fallback so every incident's timer is due at once, and the
real timer turn (`Scheduler.run_due_timers`) run until none is due. Counts the steps
performed, the SQL statements and round trips, and the CPU and wall time of the turns:
steps/s = steps / wall time is the one-thread ceiling of the lane, CPU per step what it
costs this process, the rest of the wall time waiting on the database.

Run: `python -m bench planner_cost` (env: BENCH_PLANNER_N=1000 incidents, BENCH_PG_URL;
PostgreSQL is skipped when it does not answer, and its `public` schema is DROPPED and
recreated: point it at a scratch database).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, select

from bench.escalation import PG_URL, _answers, _reset_pg, _vacuum
from warroom.clock import ManualClock
from warroom.core.playbook_file import load_playbook
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.settings import Settings
from warroom.store.engine_models import EscalationStep
from warroom.store.migrate import upgrade
from warroom.store.session import Database

N = int(os.environ.get("BENCH_PLANNER_N", "1000"))
PAST_FIRST_FALLBACK = timedelta(minutes=16)  # Sev2: first fallback 15 min after paging
MAX_TURNS = 10_000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'planner.db'}")
    if _answers(PG_URL):
        _reset_pg(PG_URL)
        run("postgresql", PG_URL)
    else:
        print("postgresql: skipped (no server at BENCH_PG_URL)")


def run(name: str, url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    settings = Settings(database_url=db.url, secret="bench")
    ctx = Context(db, load_playbook(), clock, settings)
    for n in range(N):
        declaration = incidents.Declaration(title=f"Outage {n}", severity=2)
        ctx.transact(incidents.declare, declaration, actor="bench")
    scheduler = Scheduler(ctx, transport=lambda *args: None)
    scheduler.tick()  # the declaration pages, delivered nowhere
    _vacuum(db)
    before = _steps(db)
    clock.advance(PAST_FIRST_FALLBACK)
    statements = [0]
    event.listen(db.engine, "before_cursor_execute", lambda *a: _count(statements))
    cpu, wall = time.process_time(), time.perf_counter()
    turns = 0
    while turns < MAX_TURNS and scheduler.run_due_timers():
        turns += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    steps = _steps(db) - before
    each = max(steps, 1)
    print(
        f"{name}: {N} incidents due at once, {turns} turns, {steps} steps; "
        f"{statements[0] / each:.1f} statements a step; CPU {cpu * 1000 / each:.2f} ms a step, "
        f"wall {wall * 1000 / each:.2f} ms a step: "
        f"{steps / wall:.0f} steps/s on one thread",
        flush=True,
    )
    db.dispose()


def _steps(db: Database) -> int:
    with db.reader() as session:
        return int(session.execute(select(func.count()).select_from(EscalationStep)).scalar_one())


def _count(statements: list[int]) -> None:
    statements[0] += 1
