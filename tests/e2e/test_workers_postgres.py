"""PostgreSQL scale-out: real `warroom worker` processes share one database. Two workers over
1,000 incidents send no message twice; a worker killed with SIGKILL mid-run loses nothing
and repeats nothing. Loopback only, every wait bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import POSTGRES_URL, _truncate_all
from tests.e2e.loopback import wait_for, webhook_server
from warroom.clock import ManualClock
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import dump_playbook
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.settings import Settings
from warroom.store.engine_models import EscalationStep
from warroom.store.models import OutboxMessage, TimelineEvent, Timer
from warroom.store.session import Database

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="WARROOM_TEST_DATABASE_URL is not set"),
]
WARROOM = str(Path(sys.executable).parent / "warroom")
INCIDENTS = 1000


@pytest.fixture
def pg(postgres_schema: str, playbook: Playbook) -> Iterator[Context]:
    _truncate_all(postgres_schema)
    db = Database(postgres_schema)
    # declared 12 minutes ago: the declaration pages are queued, the first fallbacks are due
    clock = ManualClock(datetime.now(UTC) - timedelta(minutes=12))
    settings = Settings(database_url=postgres_schema, secret="pg-secret")
    yield Context(db=db, playbook=playbook, clock=clock, settings=settings)
    db.dispose()


def declare_many(ctx: Context, count: int) -> None:
    for n in range(count):
        ctx.transact(
            incidents.declare, incidents.Declaration(title=f"Outage {n}", severity=2), actor="load"
        )


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [WARROOM, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def settled(ctx: Context) -> bool:
    """Nothing due is left: no due pending timer, no pending message."""
    now = datetime.now(UTC)
    with ctx.db.unit_of_work() as session:
        timers = session.execute(
            select(func.count()).where(Timer.state == "pending", Timer.due_at <= now)
        ).scalar_one()
        outbox = session.execute(
            select(func.count()).where(OutboxMessage.state == "pending")
        ).scalar_one()
    return timers == 0 and outbox == 0


def worker_env(tmp_path: Path, playbook: Playbook) -> dict[str, str]:
    path = tmp_path / "playbook.yaml"
    path.write_text(dump_playbook(playbook), "utf-8")
    return {
        **os.environ,
        "WARROOM_DATABASE_URL": POSTGRES_URL or "",
        "WARROOM_PLAYBOOK": str(path),
        "WARROOM_SECRET": "pg-secret",
    }


def assert_each_step_once(ctx: Context) -> None:
    """Every message delivered once, every SLA breach and escalation on the timeline once."""
    with ctx.db.unit_of_work() as session:
        sent = Counter(
            (e.incident_id, e.data["message"])
            for e in session.execute(
                select(TimelineEvent).where(TimelineEvent.kind == "page_sent")
            ).scalars()
        )
        once = Counter(
            (e.incident_id, e.kind, e.data.get("sla"), e.data.get("level"))
            for e in session.execute(
                select(TimelineEvent).where(TimelineEvent.kind.in_(["sla_breached", "escalated"]))
            ).scalars()
        )
        outbox = session.execute(  # an incident's messages; the calendar's reminders aside
            select(func.count()).where(OutboxMessage.incident_id.is_not(None))
        ).scalar_one()
        steps = session.execute(
            select(func.count()).where(EscalationStep.outbox_key.is_not(None))
        ).scalar_one()
    assert [k for k, n in sent.items() if n > 1] == []
    assert [k for k, n in once.items() if n > 1] == []
    assert len(sent) == outbox == steps


def assert_nothing_due_is_left(ctx: Context) -> None:
    from warroom.core.escalation import plan
    from warroom.service.paging.engine import build_state
    from warroom.store.models import Incident

    now = datetime.now(UTC) - timedelta(seconds=2)
    with ctx.db.unit_of_work() as session:
        for incident in session.execute(select(Incident)).scalars():
            current = plan(build_state(session, ctx, incident), ctx.playbook, now)
            assert current.due == (), (incident.reference, current.due)


def test_two_workers_over_a_thousand_incidents_send_no_message_twice(
    pg: Context, playbook: Playbook, tmp_path: Path
) -> None:
    with webhook_server() as (port, received):
        routed = playbook.model_copy(
            update={"channels": {"phone": f"json://127.0.0.1:{port}/{{address}}"}}
        )
        pg.playbook = routed
        declare_many(pg, INCIDENTS)
        env = worker_env(tmp_path, routed)
        workers = [start_worker(env), start_worker(env)]
        try:
            assert wait_for(lambda: settled(pg), timeout=240), "the workers did not finish"
        finally:
            for worker in workers:
                stop(worker)
        deliveries = Counter((payload["title"], path) for path, payload in received)
    assert [k for k, n in deliveries.items() if n > 1] == []
    assert len(deliveries) >= 2 * INCIDENTS  # the two phone pages of each incident at least
    assert_each_step_once(pg)
    assert_nothing_due_is_left(pg)


def test_a_worker_killed_mid_run_loses_nothing_and_repeats_nothing(
    pg: Context, playbook: Playbook, tmp_path: Path
) -> None:
    declare_many(pg, INCIDENTS)
    env = worker_env(tmp_path, playbook)
    with pg.db.unit_of_work() as session:
        before = session.execute(select(func.count()).select_from(EscalationStep)).scalar_one()

    def progressed() -> bool:
        with pg.db.unit_of_work() as session:
            now = session.execute(select(func.count()).select_from(EscalationStep)).scalar_one()
        return now > before + INCIDENTS // 3

    first = start_worker(env)
    try:
        assert wait_for(progressed, timeout=120), "the first worker made no progress"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    assert not settled(pg), "the kill came too late to be mid-run"
    second = start_worker(env)
    try:
        assert wait_for(lambda: settled(pg), timeout=240), "the second worker did not finish"
        time.sleep(0.5)
    finally:
        stop(second)
    assert_each_step_once(pg)
    assert_nothing_due_is_left(pg)
