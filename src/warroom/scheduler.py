"""The claim-and-run loop: accepted alert payloads are applied from the intake inbox, due
timers run their handler in the transaction that marks them done, and the outbox is drained.
One iteration is `Scheduler.tick()`; `run()` loops it.

Claims use `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers
share the work and none runs a timer twice; SQLite has a single writer at a time. Each
handler runs in a savepoint: an exception is logged with the incident's reference, that
timer is retried later, and the rest of the batch goes on.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.notify import delivery
from warroom.service import intake_queue
from warroom.service.context import Context
from warroom.service.paging import LOCKED, delivery_outcome
from warroom.store.models import Incident, Timer

log = logging.getLogger("warroom.scheduler")

Handler = Callable[[Session, Context, Timer, datetime], None]

# Service modules exposing JOB_HANDLERS (timer kind -> handler); one line per area.
HANDLER_MODULES: tuple[str, ...] = ("warroom.service.paging", "warroom.service.postmortem")
BATCH = 50  # rows per claim: small, so several loops share a burst and commits come often
THREADS = 4  # timer loops and delivery loops each, on PostgreSQL
MAX_BATCHES = 1000
IDLE_SLEEP_S = 0.2
HELPER_IDLE_S = 2.0  # a helper loop's own poll, when its lead finds no full batch
INTAKE_LOOK_AHEAD_S = 0.5  # how often a backlog is searched for new groups (pages) to apply first
INTAKE_GATHER_S = 0.1  # what an event in a stream may wait so that events are applied together
# After applying while senders waited for SQLite's writer, the loop stays off it this many
# times as long as it took (at most SENDERS_FIRST_MAX_S), so that senders get most of it ...
SENDERS_FIRST = 1.5
SENDERS_FIRST_MAX_S = 0.5
# ... unless what it applied had waited this long: then it keeps its turns, and senders are
# slowed down to the rate alerts are applied rather than the backlog growing without end.
INTAKE_LAG_BUDGET_S = 30.0
HANDLER_RETRY = (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2))


def load_handlers() -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for name in HANDLER_MODULES:
        handlers.update(importlib.import_module(name).JOB_HANDLERS)
    return handlers


class Scheduler:
    def __init__(
        self,
        ctx: Context,
        *,
        handlers: dict[str, Handler] | None = None,
        transport: delivery.Transport = delivery.apprise_send,
        batch: int = BATCH,
        threads: int = THREADS,
    ) -> None:

        self.ctx = ctx
        self.handlers = load_handlers() if handlers is None else handlers
        self.transport = transport
        self.batch = batch
        self.threads = threads
        self._outcome = delivery_outcome
        self._looked_ahead = -INTAKE_LOOK_AHEAD_S  # when a backlog was last searched for new groups
        self._behind = False  # the last apply left payloads waiting: no need to peek first
        self._senders_first = False  # the last apply kept senders waiting, within the lag budget

    def tick(self, stop: threading.Event | None = None) -> int:
        """One iteration: run due timers and drain the outbox, batch by batch, until both
        are quiet (bounded; `stop` ends it after the current batch)."""
        done = 0
        for _ in range(MAX_BATCHES):
            applied = self.apply_intake().payloads
            ran = self.run_due_timers()
            sent = self.drain_outbox()
            done += applied + ran + sent
            quiet = not applied and ran < self.batch and sent < self.batch
            if quiet or (stop and stop.is_set()):
                break
        return done

    def apply_intake(
        self, *, new_groups_first: bool = True, peek: bool = True
    ) -> intake_queue.Applied:
        """Apply accepted alert payloads waiting in the intake inbox (`apply_waiting`); in
        smaller transactions while senders come first (`gather_and_apply_intake`)."""
        intake_queue.waiting.clear()
        budget = (
            intake_queue.APPLY_BYTES_SENDERS_WAITING
            if self._senders_first
            else intake_queue.APPLY_BYTES
        )
        return intake_queue.apply_waiting(
            self.ctx, new_groups_first=new_groups_first, peek=peek, max_bytes=budget
        )

    def gather_and_apply_intake(self) -> int:
        """For the loop: a lone event is applied at once; once the inbox is caught up, the
        loop waits INTAKE_GATHER_S so that a stream of single events is applied (and
        coalesced) many at a time rather than one transaction each. Behind a backlog it
        waits only when senders waited for SQLite's single writer while it applied: then
        it stays off the writer SENDERS_FIRST times as long as it took. Senders are
        answered once their payloads are committed, so during a storm the inbox takes
        alerts at the rate they come and is applied a little behind (INTAKE_LAG_BUDGET_S
        at most), groups with no open incident (pages) first; between storms it is
        applied at full speed."""
        started, senders_waited = time.monotonic(), self.ctx.db.senders_waited()
        look_ahead = started - self._looked_ahead >= INTAKE_LOOK_AHEAD_S
        applied = self.apply_intake(new_groups_first=look_ahead, peek=not self._behind)
        self._behind = not applied.drained
        if look_ahead and self._behind:
            self._looked_ahead = started
        self._senders_first = (
            self.ctx.db.senders_waited() > senders_waited and applied.waited_s < INTAKE_LAG_BUDGET_S
        )
        if pause := self._pause_after(applied, took=time.monotonic() - started):
            time.sleep(pause)
        return applied.payloads

    def _pause_after(self, applied: intake_queue.Applied, took: float) -> float:
        """Seconds to stay off the inbox after applying: SENDERS_FIRST times as long as it
        took while senders come first; INTAKE_GATHER_S after a quick apply that caught up."""
        if not applied.payloads:
            return 0.0
        pause = min(took * SENDERS_FIRST, SENDERS_FIRST_MAX_S) if self._senders_first else 0.0
        if applied.drained and took < INTAKE_GATHER_S:
            pause = max(pause, INTAKE_GATHER_S)
        return pause

    def drain_outbox(self) -> int:
        return delivery.drain(self.ctx, self._outcome, self.transport, self.batch)

    def run(self, stop: threading.Event, idle_sleep: float = IDLE_SLEEP_S) -> None:
        """Loop until `stop` is set: timer loops and delivery loops in their own threads,
        so a slow mail server never delays an escalation. A batch in flight finishes first.
        On PostgreSQL several of each share the work through SKIP LOCKED; SQLite has one
        writer, so one of each."""
        threads = 1 if self.ctx.db.is_sqlite else self.threads
        log.info(
            "scheduler started handlers=%s threads=%d", ",".join(sorted(self.handlers)), threads
        )
        running = [
            *_crowd(self.run_due_timers, "timers", threads, self.batch, stop, idle_sleep),
            *_crowd(self.drain_outbox, "delivery", threads, self.batch, stop, idle_sleep),
            _thread(self.gather_and_apply_intake, "intake", stop, idle_sleep, intake_queue.waiting),
        ]
        for thread in running:
            thread.start()
        for thread in running:
            thread.join()
        log.info("scheduler stopped")

    def run_due_timers(self) -> int:
        """Claim up to `batch` due timers and run each in its savepoint; returns the count."""
        now = self.ctx.clock.now()
        due = (Timer.state == "pending", Timer.due_at <= now)
        if not self.ctx.db.finds(select(Timer.id).where(*due)):
            return 0
        statement = (
            select(Timer)
            .where(*due)
            .order_by(Timer.due_at)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        with self.ctx.db.unit_of_work() as session:
            timers = list(session.execute(statement).scalars())
            # one lock order across workers (incident, then time): no deadlocks
            for timer in sorted(timers, key=lambda t: (t.incident_id or 0, t.due_at, t.id)):
                self._run_one(session, timer, self.ctx.clock.now())
        return len(timers)

    def _run_one(self, session: Session, timer: Timer, now: datetime) -> None:
        handler = self.handlers.get(timer.kind)
        if handler is None:
            log.error("no handler for timer kind=%s key=%s", timer.kind, timer.key)
            self._postpone(timer, now, "no handler")
            return
        try:
            with session.begin_nested():
                handler(session, self.ctx, timer, now)
                timer.state, timer.done_at = "done", now
        except Exception as exc:
            session.info.pop(LOCKED, None)  # locks taken in the savepoint went with it
            log.exception(
                "timer handler failed kind=%s key=%s incident=%s",
                timer.kind, timer.key, _reference(session, timer.incident_id),
            )  # fmt: skip
            self._postpone(timer, now, f"{exc.__class__.__name__}: {exc}")

    @staticmethod
    def _postpone(timer: Timer, now: datetime, error: str) -> None:
        failures = int(timer.payload.get("failures", 0)) + 1
        delay = HANDLER_RETRY[min(failures, len(HANDLER_RETRY)) - 1]
        timer.payload = {**timer.payload, "failures": failures, "last_error": error[:500]}
        timer.due_at = now + delay


def _crowd(
    step: Callable[[], int],
    name: str,
    size: int,
    full: int,
    stop: threading.Event,
    idle_sleep: float,
) -> list[threading.Thread]:
    """One lead loop polling every `idle_sleep`, and `size - 1` helpers that join in while
    the work comes in full batches: an idle server polls the database once per kind of
    work, not once per thread. Helpers also poll every HELPER_IDLE_S on their own, so work
    waits no longer than that while the lead is held up by a slow handler or send."""
    crowded = threading.Event()

    def lead() -> int:
        done = step()
        if done >= full:
            crowded.set()
        return done

    def helper() -> int:
        done = step()
        if not done:
            crowded.clear()
        return done

    # the lead, once stopped, wakes the helpers so that they see the stop too
    return [_thread(lead, f"{name}-0", stop, idle_sleep, stop, then=crowded.set)] + [
        _thread(helper, f"{name}-{n}", stop, HELPER_IDLE_S, crowded) for n in range(1, size)
    ]


def _thread(
    step: Callable[[], int],
    name: str,
    stop: threading.Event,
    idle_sleep: float,
    wake: threading.Event,
    then: Callable[[], object] = lambda: None,
) -> threading.Thread:
    def run() -> None:
        _loop(step, stop, idle_sleep, name, wake)
        then()

    return threading.Thread(target=run, name=f"warroom-{name}", daemon=True)


def _loop(
    step: Callable[[], int],
    stop: threading.Event,
    idle_sleep: float,
    name: str,
    wake: threading.Event,
) -> None:
    """Run `step` until `stop`; when it found nothing, wait `idle_sleep` or until `wake`."""
    while not stop.is_set():
        try:
            busy = step()
        except Exception:  # the database went away: log, wait, carry on
            log.exception("scheduler loop failed loop=%s", name)
            busy = 0
        if not busy:
            wake.wait(idle_sleep)


def _reference(session: Session, incident_id: int | None) -> str | None:
    if incident_id is None:
        return None
    return session.execute(
        select(Incident.reference).where(Incident.id == incident_id)
    ).scalar_one_or_none()


def start_in_thread(ctx: Context) -> tuple[threading.Thread, threading.Event]:
    """For `warroom serve`: the scheduler in a daemon thread, stopped through the event."""
    stop = threading.Event()
    thread = threading.Thread(
        target=Scheduler(ctx).run, args=(stop,), name="warroom-scheduler", daemon=True
    )
    thread.start()
    return thread, stop
