"""What one page costs warroom's own process (issue 21): the limit under the storm goals.

N Sev1 incidents declared at once on a fresh SQLite file, then the real scheduler iteration
(`Scheduler.tick`) run on a virtual clock, minute by minute through the first 30 minutes of
the built-in playbook, every channel a no-op transport (nothing leaves the process, so
neither a sink nor the network is measured). Counts the messages delivered, the SQL
statements executed and the CPU time of the declarations and of the scheduler, and prints
the CPU per message and the ceiling it sets for one core: messages/s = 1 / CPU per message.

Run: `python -m bench message_cost` (env: BENCH_COST_N=200 incidents).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from warroom.clock import ManualClock
from warroom.core.playbook_file import load_playbook
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.models import OutboxMessage
from warroom.store.session import Database

N = int(os.environ.get("BENCH_COST_N", "200"))
MINUTES = 30
METHODS = ("email", "webhook", "slack", "sms", "phone")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'cost.db'}")
        upgrade(db.engine)
        clock = ManualClock(datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
        playbook = load_playbook()
        channels = dict.fromkeys(METHODS, "json://127.0.0.1:9/{address}")
        playbook = playbook.model_copy(update={"channels": channels})
        ctx = Context(db, playbook, clock, Settings(database_url=db.url, secret="bench"))
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a: _count(statements))
        declare_cpu, declare_sql = _declare(ctx, statements)
        scheduler = Scheduler(ctx, transport=_nowhere)
        cpu, sql = time.process_time(), statements[0]
        for _ in range(MINUTES):
            scheduler.tick()
            clock.advance(timedelta(minutes=1))
        scheduler.tick()
        cpu, sql = time.process_time() - cpu, statements[0] - sql
        sent = _delivered(ctx)
        db.dispose()
    per_message = (declare_cpu + cpu) / max(sent, 1)
    print(
        f"{N} Sev1, {MINUTES} playbook minutes: {sent} messages; declarations {declare_cpu:.2f} s "
        f"CPU, {declare_sql / N:.0f} statements each; scheduler {cpu:.2f} s CPU, "
        f"{sql / max(sent, 1):.1f} statements a message; all in all {per_message * 1000:.2f} ms "
        f"CPU a message: one core's ceiling {1 / per_message:.0f} msg/s (goal 500 per worker)",
        flush=True,
    )


def _declare(ctx: Context, statements: list[int]) -> tuple[float, int]:
    cpu, sql = time.process_time(), statements[0]
    for n in range(N):
        ctx.transact(
            incidents.declare,
            incidents.Declaration(title=f"Checkout down {n}", severity=1),
            actor="bench",
        )
    return time.process_time() - cpu, statements[0] - sql


def _delivered(ctx: Context) -> int:
    with ctx.db.reader() as session:
        counted = select(func.count()).where(OutboxMessage.state.in_(("sent", "recorded")))
        return int(session.execute(counted).scalar_one())


def _count(statements: list[int]) -> None:
    statements[0] += 1


def _nowhere(url: str, subject: str, body: str, *rest: Any) -> None:
    return None
