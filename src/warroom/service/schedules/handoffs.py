"""Handoff notices: `handoff_notice` before each shift, the incoming person is told once,
through their first contact. Each handoff is a timer keyed by schedule and shift start;
each notice plans the next handoff's, and a change of overrides plans the earliest, so the
chain follows the schedule as it is when the notice falls due."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from warroom.core import schedules as oncall
from warroom.core.schedule_model import Schedule
from warroom.core.templates import builtin
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.schedules.overrides import overrides_by_schedule
from warroom.store.models import Timer

log = logging.getLogger("warroom.schedules")

HANDOFF_TIMER = "handoff_notice"
LOOK_AHEAD = timedelta(weeks=8)  # how far ahead the next handoff is looked for
SUBJECT = builtin("handoff_notice.subject", "You are on call for {{ schedule }} from {{ start }}")
BODY = builtin(
    "handoff_notice.body",
    "You take over {{ schedule }} from {{ previous or 'nobody' }} at {{ start }}"
    "{% if end %}, until {{ end }}{% endif %} ({{ timezone }}).",
)


def schedule_handoffs(
    ctx: Context, session: Session, schedule_ids: list[str] | None = None
) -> list[str]:
    """Each schedule's next handoff notice, where not planned yet; the keys planned now."""
    now = ctx.clock.now()
    names = schedule_ids if schedule_ids is not None else list(ctx.playbook.schedules)
    planned = []
    for name in names:
        schedule = ctx.playbook.schedules.get(name)
        if schedule is not None and schedule.handoff_notice is not None:
            key = _plan_after(session, name, schedule, now, now)
            planned += [key] if key else []
    return planned


def on_handoff_notice(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    """Tell the incoming person, if the shift still starts then; plan the next notice."""
    name = str(timer.payload["schedule"])
    schedule = ctx.playbook.schedules.get(name)
    if schedule is None or schedule.handoff_notice is None:
        return  # the playbook no longer has it, or no longer asks: the chain ends
    start = datetime.fromisoformat(str(timer.payload["start"]))
    overrides = overrides_by_schedule(session, [name], start - timedelta(seconds=1)).get(name, ())
    incoming = oncall.person_at(schedule, overrides, start)
    previous = oncall.person_at(schedule, overrides, start - timedelta(seconds=1))
    if incoming is not None and incoming != previous and now < start:
        shift = oncall.on_call(schedule, overrides, start)
        _tell(session, ctx, timer.key, name, schedule, incoming, previous, shift.until, start, now)
    _plan_after(session, name, schedule, start, now)


def _plan_after(
    session: Session, name: str, schedule: Schedule, after: datetime, now: datetime
) -> str | None:
    """The notice of the first handoff to someone after `after` (due at once if its
    notice time has passed), unless planned already."""
    assert schedule.handoff_notice is not None
    overrides = overrides_by_schedule(session, [name], after).get(name, ())
    upcoming = oncall.shifts(schedule, overrides, after, after + LOOK_AHEAD)[1:]
    shift = next((s for s in upcoming if s.person is not None), None)
    if shift is None:
        return None
    key = f"{HANDOFF_TIMER}:{name}:{shift.start.isoformat()}"
    due = max(shift.start - schedule.handoff_notice, now)
    payload = {"schedule": name, "start": shift.start.isoformat()}
    made = jobs.schedule(session, key=key, kind=HANDOFF_TIMER, due_at=due, now=now, payload=payload)
    return key if made else None


def _tell(
    session: Session,
    ctx: Context,
    key: str,
    name: str,
    schedule: Schedule,
    incoming: str,
    previous: str | None,
    until: datetime | None,
    start: datetime,
    now: datetime,
) -> None:
    person = ctx.playbook.people.get(incoming)
    if person is None or not person.contacts:
        return
    zone = ZoneInfo(schedule.timezone)
    fields = {
        "schedule": name,
        "start": f"{start.astimezone(zone):%a %Y-%m-%d %H:%M}",
        "end": f"{until.astimezone(zone):%a %Y-%m-%d %H:%M}" if until else None,
        "previous": ctx.playbook.person_name(previous) if previous else None,
        "timezone": schedule.timezone,
    }
    first = person.contacts[0]
    jobs.enqueue(
        session, key=f"{key}:{incoming}", kind=HANDOFF_TIMER, method=first.method,
        address=first.address, subject=SUBJECT(**fields), body=BODY(**fields), now=now,
        person=incoming,
    )  # fmt: skip
    log.info("handoff notice schedule=%s person=%s start=%s", name, incoming, start.isoformat())
