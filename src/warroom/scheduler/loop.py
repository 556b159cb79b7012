"""The claim-and-run loop: due timers run their handler in the transaction that marks them
done, the outbox is drained, and the intake lane applies accepted alert payloads. One
iteration is `Scheduler.tick()`; `run()` loops it, each kind of work in threads of its own.

Claims use `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers
share the work and none runs a timer twice; SQLite has a single writer at a time. A batch
of timers runs in one transaction; if a handler raises, the batch runs again with each
handler in a savepoint: the exception is logged with the incident's reference, that timer
is retried later, and the rest of the batch goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from warroom.intake import inbox as intake_queue
from warroom.intake.lane import IntakeLane
from warroom.notify import delivery
from warroom.notify.chat_delivery import drain_chat
from warroom.scheduler.handlers import HANDLERS, Handler
from warroom.scheduler.threads import HELPER_IDLE_S, crowd, thread
from warroom.service.context import Context
from warroom.service.paging.engine import delivery_outcome, prepare_timers
from warroom.service.post_incident.improvement_loop import schedule_loop
from warroom.service.schedules.handoffs import schedule_handoffs
from warroom.store import write_behind
from warroom.store.engine_queries import LOCKED
from warroom.store.job_queries import any_timer_due, claim_due_timers
from warroom.store.models import Timer
from warroom.store.queries import reference_of

log = logging.getLogger("warroom.scheduler")

BATCH = 50  # rows per claim: small, so several loops share a burst and commits come often
THREADS = 4  # timer loops and delivery loops each, on PostgreSQL
MAX_BATCHES = 1000
TIMER_TURN_S = 0.1  # a claimed batch stops here: the writer (and row locks) go round often
IDLE_SLEEP_S = 0.2
HANDLER_RETRY = (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2))


class Scheduler:
    def __init__(
        self,
        ctx: Context,
        *,
        handlers: dict[str, Handler] | None = None,
        transport: delivery.Transport | None = None,  # None: Apprise, as delivery does
        batch: int = BATCH,
        threads: int = THREADS,
        intake: IntakeLane | None = None,
        helper_idle_s: float = HELPER_IDLE_S,
    ) -> None:
        self.ctx = ctx
        self.handlers = HANDLERS if handlers is None else handlers
        self.transport = transport
        self.batch = batch
        self.threads = threads
        self.intake = intake or IntakeLane(ctx)
        self.helper_idle_s = helper_idle_s
        self._outcome = delivery_outcome

    def tick(self, stop: threading.Event | None = None) -> int:
        """One iteration: run due timers and drain the outbox, batch by batch, until both
        are quiet (bounded; `stop` ends it after the current batch)."""
        done = 0
        for _ in range(MAX_BATCHES):
            applied = self.intake.apply().payloads
            ran = self.run_due_timers()
            sent = self.drain_outbox()
            chatted = self.drain_chat()
            done += applied + ran + sent + chatted
            quiet = not applied and ran < self.batch and sent < self.batch and not chatted
            if quiet or (stop and stop.is_set()):
                break
        return done

    def drain_outbox(self) -> int:
        return delivery.drain(self.ctx, self._outcome, self.transport, self.batch)

    def drain_chat(self) -> int:
        return drain_chat(self.ctx, self.batch, self.transport)

    def run(self, stop: threading.Event, idle_sleep: float = IDLE_SLEEP_S) -> None:
        """Loop until `stop` is set: timer loops and delivery loops in their own threads,
        so a slow mail server never delays an escalation. A batch in flight finishes first.
        On PostgreSQL several of each share the work through SKIP LOCKED; SQLite has one
        writer, so one of each."""
        self.schedule_calendar()
        threads = 1 if self.ctx.db.is_sqlite else self.threads
        helper = self.helper_idle_s
        log.info(
            "scheduler started handlers=%s threads=%d", ",".join(sorted(self.handlers)), threads
        )
        running = [
            *crowd(self.run_due_timers, "timers", threads, self.batch, stop, idle_sleep, helper),
            *crowd(self.drain_outbox, "delivery", threads, self.batch, stop, idle_sleep, helper),
            thread(self.drain_chat, "chat", stop, idle_sleep, stop),
            thread(
                self.intake.gather_and_apply,
                "intake",
                stop,
                idle_sleep,
                self.ctx.runtime.part(intake_queue.InboxCommitted),
            ),
        ]
        for loop in running:
            loop.start()
        for loop in running:
            loop.join()
        log.info("scheduler stopped")

    def schedule_calendar(self) -> None:
        """At start: the improvement loop's and the handoff notices' next timers where
        missing (unique keys, so every scheduler that starts may do it). A failure is
        logged, never fatal: the timers already scheduled schedule their successors anyway."""
        try:
            keys = self.ctx.transact(schedule_loop) + self.ctx.transact(schedule_handoffs)
        except Exception:
            log.exception("scheduling the improvement loop failed")
            return
        if keys:
            log.info("improvement loop scheduled keys=%s", ",".join(keys))

    def run_due_timers(self) -> int:
        """Claim up to `batch` due timers and run them for at most TIMER_TURN_S, or until a
        request waits for SQLite's writer (`Database.sender_waits_on_turn`): the ones left
        stay due for the next turn, so delivery and requests wait for the writer no longer
        than that. All in one go, written together; if any handler fails, the turn
        runs once more with each timer in a savepoint of its own, and the failing one is
        postponed (that turn writes row by row). Returns how many it could run: the timers
        of an incident another transaction holds were skipped, and a turn that found only
        those waits like an idle one rather than coming straight back for them."""
        if not any_timer_due(self.ctx.db, self.ctx.clock.now()):
            return 0
        try:
            return self._timer_turn(careful=False)
        except Exception:
            return self._timer_turn(careful=True)

    def _timer_turn(self, careful: bool) -> int:
        ends = time.monotonic() + TIMER_TURN_S
        with self.ctx.db.unit_of_work() as session:
            if not careful:
                write_behind.hold_rows(session)  # the turn's steps, pages, timers: together
            timers = claim_due_timers(session, self.ctx.clock.now(), self.batch)
            runnable = prepare_timers(session, timers)
            # one lock order across workers (incident, then time): no deadlocks
            for timer in sorted(runnable, key=lambda t: (t.incident_id or 0, t.due_at, t.id)):
                now = self.ctx.clock.now()
                if careful:
                    self._run_one(session, timer, now)
                else:
                    self._handle(session, timer, now)
                if time.monotonic() > ends or self.ctx.db.sender_waits_on_turn():
                    break  # the rest stay due for the next turn
        return len(runnable)

    def _handle(self, session: Session, timer: Timer, now: datetime) -> None:
        handler = self.handlers.get(timer.kind)
        if handler is None:
            raise LookupError(f"no handler for timer kind {timer.kind}")
        handler(session, self.ctx, timer, now)
        timer.state, timer.done_at = "done", now

    def _run_one(self, session: Session, timer: Timer, now: datetime) -> None:
        """One timer in its savepoint: a failing handler postpones it, logged, alone."""
        try:
            with session.begin_nested():
                self._handle(session, timer, now)
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


def _reference(session: Session, incident_id: int | None) -> str | None:
    return None if incident_id is None else reference_of(session, incident_id)


def start_in_thread(ctx: Context) -> tuple[threading.Thread, threading.Event]:
    """For `warroom serve`: the scheduler in a daemon thread, stopped through the event."""
    stop = threading.Event()
    thread = threading.Thread(
        target=Scheduler(ctx).run, args=(stop,), name="warroom-scheduler", daemon=True
    )
    thread.start()
    return thread, stop
