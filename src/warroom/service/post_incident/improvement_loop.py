"""The seed's improvement loop, run by the calendar: the monthly review made and announced
on the 1st for the previous month, the quarterly DR test and tabletop reminder, and the
reminder that the playbook itself is due for review.

Each is a timer under a unique key (`monthly_review:2024-01`), so two schedulers or a
restart make it once; each run schedules the next, and `schedule_loop` (at the scheduler's
start) schedules whatever is missing. A run that comes late (the server was down) still
runs, and its successor follows at once: every missed month still gets its review."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core import review_calendar as calendar
from warroom.core.playbook import Playbook
from warroom.core.schedules import who_holds
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.post_incident import loop_texts as texts
from warroom.service.post_incident.reminders import remind
from warroom.service.reports import kept
from warroom.service.schedules.overrides import overrides_by_schedule
from warroom.store.models import Timer

log = logging.getLogger("warroom.improvement")

MONTHLY_REVIEW_TIMER = "monthly_review"  # timer kinds (the scheduler's handler table)
QUARTERLY_EXERCISE_TIMER = "quarterly_exercise"
PLAYBOOK_REVIEW_TIMER = "playbook_review"
REVIEW_ANNOUNCEMENT = "announce_monthly_review"  # the outbox kind of its announce_to copies


@dataclass(frozen=True)
class Planned:
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


def schedule_loop(ctx: Context, session: Session) -> list[str]:
    """The loop's next timers, those not scheduled yet; the keys scheduled now."""
    now = ctx.clock.now()
    planned = [
        _monthly_review(ctx.playbook, now),
        *_quarterly_exercise(ctx.playbook, now),
        *_playbook_review(ctx.playbook),
    ]
    return [step.key for step in planned if _schedule(session, step, now)]


def reviewer(playbook: Playbook) -> str | None:
    """Who the loop reminds: the primary of the role that owns post-mortems (the incident
    commander in the built-in playbook), else of the playbook's first role; a schedule's
    primary is whoever is on call when the reminder is sent."""
    owner_role = playbook.post_incident.postmortem_owner_role
    role = playbook.roles.get(owner_role or "") or next(iter(playbook.roles.values()), None)
    return role.primary if role else None


def on_monthly_review(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    """Make and keep the review of the month the timer covers, announce it, plan the next."""
    period = str(timer.payload["period"])
    report, made = kept.keep_monthly_review(ctx, session, period)
    if made:
        log.info("monthly review kept period=%s incidents=%s", period, report["incidents"]["total"])
    fields = texts.review_fields(period, report, ctx.playbook)
    subject, body = texts.MONTHLY_REVIEW_SUBJECT(**fields), texts.MONTHLY_REVIEW_BODY(**fields)
    for url in ctx.playbook.communication.announce_to:
        target = hashlib.sha256(url.encode()).hexdigest()[:16]
        jobs.enqueue(
            session,
            key=f"{timer.key}:{target}",
            kind=REVIEW_ANNOUNCEMENT,
            method="apprise",
            address=url,
            subject=subject,
            body=body,
            now=now,
        )
    _remind_reviewer(session, ctx, f"{timer.key}:reviewer", subject, body, now)
    _schedule(session, _monthly_review(ctx.playbook, timer.due_at), now)


def on_quarterly_exercise(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    """Remind of the quarter's DR test and tabletop exercise (not once the quarter is
    over: a stale reminder helps no one), then plan the next quarter's."""
    cadence = ctx.playbook.post_incident.quarterly_exercise
    if cadence is None:
        return  # the playbook no longer asks for it: the chain ends here
    following = _quarterly_exercise(ctx.playbook, timer.due_at)
    if now < following[0].due_at:
        quarter = timer.payload["quarter"]
        _remind_reviewer(
            session,
            ctx,
            f"{timer.key}:reviewer",
            texts.QUARTERLY_EXERCISE_SUBJECT(quarter=quarter),
            texts.QUARTERLY_EXERCISE_BODY(quarter=quarter, agenda=cadence.agenda),
            now,
        )
    _schedule(session, following[0], now)


def on_playbook_review(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    """Remind that the playbook was due for review, if its review date is still that one."""
    due = ctx.playbook.next_review
    if due is None or due.isoformat() != timer.payload["due"]:
        return  # the playbook has been reviewed since and carries another date
    name = ctx.playbook.name
    _remind_reviewer(
        session,
        ctx,
        f"{timer.key}:reviewer",
        texts.PLAYBOOK_REVIEW_SUBJECT(name=name),
        texts.PLAYBOOK_REVIEW_BODY(name=name, due=due.isoformat()),
        now,
    )


def _remind_reviewer(
    session: Session, ctx: Context, key: str, subject: str, body: str, now: datetime
) -> None:
    holder = reviewer(ctx.playbook)
    schedules = ctx.playbook.schedules
    overrides = overrides_by_schedule(session, schedules, now)
    person = None if holder is None else who_holds(schedules, overrides, holder, now)
    if person is None:
        log.warning("no role in the playbook to remind key=%s", key)
        return
    remind(
        session, ctx, person=person, key=key, subject=subject, body=body, incident_id=None, now=now
    )


def _monthly_review(playbook: Playbook, after: datetime) -> Planned:
    due_at, period = calendar.next_monthly_review(after, playbook.timezone)
    return Planned(MONTHLY_REVIEW_TIMER, f"monthly_review:{period}", due_at, {"period": period})


def _quarterly_exercise(playbook: Playbook, after: datetime) -> list[Planned]:
    if playbook.post_incident.quarterly_exercise is None:
        return []
    due_at, quarter = calendar.next_quarter_start(after, playbook.timezone)
    key = f"quarterly_exercise:{quarter}"
    return [Planned(QUARTERLY_EXERCISE_TIMER, key, due_at, {"quarter": quarter})]


def _playbook_review(playbook: Playbook) -> list[Planned]:
    """The playbook's review date, once per date: past already, it is due at once."""
    if playbook.next_review is None:
        return []
    due = playbook.next_review.isoformat()
    due_at = calendar.review_reminder_at(playbook.next_review, playbook.timezone)
    return [Planned(PLAYBOOK_REVIEW_TIMER, f"playbook_review:{due}", due_at, {"due": due})]


def _schedule(session: Session, step: Planned, now: datetime) -> bool:
    return jobs.schedule(
        session, key=step.key, kind=step.kind, due_at=step.due_at, now=now, payload=step.payload
    )
