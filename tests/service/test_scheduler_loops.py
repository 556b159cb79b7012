"""The scheduler's loops on PostgreSQL, where several threads share each kind of work: an
idle server polls the database once per kind, and the helpers join in when work comes in
full batches."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from warroom.scheduler import Scheduler


def test_an_idle_server_polls_each_kind_of_work_with_one_loop(ctx) -> None:
    if ctx.db.is_sqlite:
        pytest.skip("SQLite runs one loop of each kind")
    polls: Counter[str] = Counter()

    def idle() -> int:
        polls[threading.current_thread().name] += 1
        return 0

    loop = Scheduler(ctx, handlers={}, threads=4, helper_idle_s=60.0)
    loop.run_due_timers = idle  # type: ignore[method-assign]
    stop = threading.Event()
    running = threading.Thread(target=loop.run, args=(stop, 0.02))
    running.start()
    time.sleep(0.5)
    stop.set()
    running.join(timeout=10)
    assert not running.is_alive(), "stopping wakes the waiting helpers too"
    helpers = [polls[f"warroom-timers-{n}"] for n in range(1, 4)]
    assert polls["warroom-timers-0"] >= 5, "the lead polls at the idle pace"
    assert helpers == [1, 1, 1], "helpers looked once at start, then waited to be needed"


def test_helpers_join_while_the_lead_finds_full_batches(ctx) -> None:
    if ctx.db.is_sqlite:
        pytest.skip("SQLite runs one loop of each kind")
    backlog: list[int] = []
    lock = threading.Lock()
    taken: Counter[str] = Counter()

    def claim() -> int:
        with lock:
            batch = backlog.pop() if backlog else 0
        taken[threading.current_thread().name] += batch
        time.sleep(0.01)
        return batch

    loop = Scheduler(ctx, handlers={}, threads=4, helper_idle_s=60.0)
    loop.run_due_timers = claim  # type: ignore[method-assign]
    stop = threading.Event()
    running = threading.Thread(target=loop.run, args=(stop, 0.02))
    running.start()
    time.sleep(0.1)  # every loop has looked once and found nothing
    with lock:
        backlog.extend([50] * 20)  # a burst: full batches of 50
    time.sleep(0.6)
    stop.set()
    running.join(timeout=10)
    assert sum(taken.values()) == 1000
    assert sum(1 for name, n in taken.items() if n and name != "warroom-timers-0") >= 2
