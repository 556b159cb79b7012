"""Escalation engine lag: 10,000 open incidents whose timers fall due across a short window;
a real `warroom worker` process performs them. Measures, per database, the lag between a
step's due time and its hand-off to delivery (the outbox row, written with the step), the
lag until the delivery loop took the message, and the worker's peak memory.

Peer figure: GoAlert's engine wakes every 5 s, so its lag is up to 5 s by design.
Target here: p99 <= 1 s.

Run: `.venv/bin/python -m bench escalation` (env: BENCH_INCIDENTS, BENCH_WINDOW_S,
BENCH_PG_URL; PostgreSQL is skipped when it does not answer). The PostgreSQL run DROPS and
recreates the `public` schema of BENCH_PG_URL: point it at a scratch database.
The window sets the arrival rate: 10,000 over 300 s (about 33 incidents and 100 steps a
second) is within one worker's capacity; over 60 s it is not, and the lag is the backlog.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, func, select, text, update

from warroom.clock import ManualClock
from warroom.core.playbook_file import load_playbook
from warroom.scheduler import Scheduler
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.settings import Settings
from warroom.store.engine_models import EscalationStep
from warroom.store.migrate import upgrade
from warroom.store.models import Incident, OutboxMessage, Timer
from warroom.store.session import Database

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "10000"))
WINDOW = timedelta(seconds=float(os.environ.get("BENCH_WINDOW_S", "60")))
LEAD = timedelta(seconds=8)  # worker start-up (imports, migrations) before the first due time
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/warroom_engine"
)
WARROOM = str(Path(sys.executable).parent / "warroom")
GOALERT_CYCLE_S = 5.0


def main() -> None:
    print(f"incidents={INCIDENTS} window={WINDOW.total_seconds():.0f}s (Sev2: 3 fallbacks each)")
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")
    if _answers(PG_URL):
        _reset_pg(PG_URL)
        run("postgresql", PG_URL)
    else:
        print("postgresql: skipped (no server at BENCH_PG_URL)")
    print(
        f"peer: GoAlert engine cycle {GOALERT_CYCLE_S:.0f} s -> lag up to {GOALERT_CYCLE_S:.0f} s"
    )


def run(name: str, url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    started = time.perf_counter()
    ctx = _populate(db)
    setup_s = time.perf_counter() - started
    window_start = datetime.now(UTC) + LEAD
    _shift_timers_into(db, window_start)
    _vacuum(db)
    peak_kib, worked_s = _run_worker(url, db, window_start + WINDOW)
    performed, delivered = _lags(db, window_start)
    print(
        f"{name}: setup {setup_s:.0f}s; steps {len(performed)}; "
        f"due->hand-off p50 {_pct(performed, 50):.3f}s p99 {_pct(performed, 99):.3f}s "
        f"max {max(performed, default=0):.3f}s; "
        f"due->delivery p50 {_pct(delivered, 50):.3f}s p99 {_pct(delivered, 99):.3f}s "
        f"max {max(delivered, default=0):.3f}s; worker peak RSS {peak_kib / 1024:.0f} MiB; "
        f"worker ran {worked_s:.0f}s",
        flush=True,
    )
    ctx.db.dispose()


def _populate(db: Database) -> Context:
    """Declare the incidents (declaration pages performed and drained), spaced over WINDOW."""
    clock = ManualClock(datetime(2024, 1, 15, 10, 0, tzinfo=UTC))
    ctx = Context(db, load_playbook(), clock, Settings(database_url=db.url, secret="bench"))
    spacing = WINDOW / INCIDENTS
    for n in range(INCIDENTS):
        ctx.transact(
            incidents.declare, incidents.Declaration(title=f"Outage {n}", severity=2), actor="bench"
        )
        clock.advance(spacing)
    Scheduler(ctx).tick()  # drain the declaration pages; no timer is due yet
    return ctx


def _shift_timers_into(db: Database, window_start: datetime) -> None:
    """Move every incident's clock so its first fallback falls due inside the window."""
    with db.unit_of_work() as session:
        first = session.execute(select(func.min(Timer.due_at)).where(Timer.state == "pending"))
        delta = window_start - _utc(first.scalar_one())
        for model, columns in (
            (Incident, ("declared_at", "detected_at", "last_event_at")),
            (EscalationStep, ("due_at", "performed_at")),
            (Timer, ("due_at", "created_at")),
        ):
            rows = session.execute(select(model.id, *(getattr(model, c) for c in columns)))
            values = [
                {
                    "row_id": r[0],
                    **{c: _utc(v) + delta for c, v in zip(columns, r[1:], strict=True)},
                }
                for r in rows
            ]
            statement = (
                update(model.__table__)
                .where(model.__table__.c.id == bindparam("row_id"))
                .values({c: bindparam(c) for c in columns})
            )
            session.connection().execute(statement, values)


def _vacuum(db: Database) -> None:
    """On PostgreSQL, the tables vacuumed and analyzed once set up, as autovacuum would have
    them in production (this machine's server runs with `autovacuum = off`, which it says)."""
    if db.is_sqlite:
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        autovacuum = connection.execute(text("SHOW autovacuum")).scalar_one()
        connection.execute(text("VACUUM ANALYZE"))
    print(f"postgresql: VACUUM ANALYZE after setup; the server's autovacuum is {autovacuum}")


def _run_worker(url: str, db: Database, until: datetime) -> tuple[int, float]:
    env = {**os.environ, "WARROOM_DATABASE_URL": url, "WARROOM_SECRET": "bench"}
    env.pop("WARROOM_PLAYBOOK", None)
    started = time.perf_counter()
    worker = subprocess.Popen(
        [WARROOM, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + (until - datetime.now(UTC)).total_seconds() + 600
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if datetime.now(UTC) > until and _settled(db):
            break
    worker.send_signal(signal.SIGTERM)
    _pid, _status, usage = os.wait4(worker.pid, 0)
    return usage.ru_maxrss, time.perf_counter() - started


def _settled(db: Database) -> bool:
    now = datetime.now(UTC)
    with db.reader() as session:
        timers = session.execute(
            select(func.count()).where(Timer.state == "pending", Timer.due_at <= now)
        ).scalar_one()
        outbox = session.execute(
            select(func.count()).where(OutboxMessage.state == "pending")
        ).scalar_one()
    return timers == 0 and outbox == 0


def _lags(db: Database, window_start: datetime) -> tuple[list[float], list[float]]:
    with db.reader() as session:
        rows = session.execute(
            select(EscalationStep.due_at, EscalationStep.performed_at, OutboxMessage.sent_at)
            .join(OutboxMessage, OutboxMessage.key == EscalationStep.outbox_key, isouter=True)
            .where(EscalationStep.due_at >= window_start - timedelta(seconds=1))
        ).all()
    performed = [(_utc(p) - _utc(d)).total_seconds() for d, p, _ in rows]
    delivered = [(_utc(s) - _utc(d)).total_seconds() for d, _, s in rows if s is not None]
    return performed, delivered


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _answers(url: str) -> bool:
    try:
        Database(url).ping()
    except Exception:
        return False
    return True


def _reset_pg(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.dispose()
