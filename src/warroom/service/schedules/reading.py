"""Reading schedules: each with who is on call now, who is on call at a moment, and the
shifts of a span (overrides applied). Reads only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.core import schedules as oncall
from warroom.core.durations import format_duration
from warroom.core.playbook import Playbook
from warroom.core.schedule_model import SCHEDULE_PREFIX
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.service.schedules.overrides import overrides_by_schedule, schedule_named

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FURTHEST_AHEAD = timedelta(days=366)  # how far ahead on call and shifts can be asked
LONGEST_SPAN = timedelta(days=92)  # the widest span of shifts one request can ask for
DEFAULT_SPAN = timedelta(weeks=2)


class OnCallOut(BaseModel):
    """Who is on call at `at`: `person` (null: nobody), since and until (null: not within
    a year, or before the schedule began)."""

    schedule: str
    at: datetime
    person: str | None
    person_name: str | None
    since: datetime | None
    until: datetime | None


class ShiftOut(BaseModel):
    person: str | None
    person_name: str | None
    start: datetime
    end: datetime


class ScheduleOut(BaseModel):
    id: str
    timezone: str
    handoff_notice: str | None
    layers: int
    used_by: list[str]  # the roles and levels that name it
    on_call: OnCallOut


def list_schedules(ctx: Context, session: Session) -> list[ScheduleOut]:
    now = ctx.clock.now()
    return [
        ScheduleOut(
            id=name,
            timezone=schedule.timezone,
            handoff_notice=format_duration(schedule.handoff_notice)
            if schedule.handoff_notice
            else None,
            layers=len(schedule.layers),
            used_by=used_by(ctx.playbook, name),
            on_call=on_call_at(ctx, session, name, now),
        )
        for name, schedule in ctx.playbook.schedules.items()
    ]


def on_call_at(
    ctx: Context, session: Session, schedule_id: str, at: datetime | None = None
) -> OnCallOut:
    schedule = schedule_named(ctx, schedule_id)
    moment = _moment(ctx, at, "at")
    overrides = overrides_by_schedule(session, [schedule_id]).get(schedule_id, ())
    found = oncall.on_call(schedule, overrides, moment)
    return OnCallOut(
        schedule=schedule_id,
        at=moment,
        person=found.person,
        person_name=_name(ctx.playbook, found.person),
        since=found.since,
        until=found.until,
    )


def shifts_between(
    ctx: Context,
    session: Session,
    schedule_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[ShiftOut]:
    """The shifts from `start` (default now) until `end` (default two weeks later)."""
    schedule = schedule_named(ctx, schedule_id)
    begin = _moment(ctx, start, "from")
    finish = _moment(ctx, end, "to") if end is not None else begin + DEFAULT_SPAN
    if finish <= begin:
        raise InvalidInput("'to' comes after 'from'", "to")
    if finish - begin > LONGEST_SPAN:
        raise InvalidInput(f"ask for at most {LONGEST_SPAN.days} days of shifts at once", "to")
    overrides = overrides_by_schedule(session, [schedule_id], begin).get(schedule_id, ())
    return [
        ShiftOut(
            person=s.person, person_name=_name(ctx.playbook, s.person), start=s.start, end=s.end
        )
        for s in oncall.shifts(schedule, overrides, begin, finish)
    ]


def used_by(playbook: Playbook, schedule_id: str) -> list[str]:
    holder = f"{SCHEDULE_PREFIX}{schedule_id}"
    found = [
        f"roles.{role_id}.{slot}"
        for role_id, role in playbook.roles.items()
        for slot, value in (("primary", role.primary), ("backup", role.backup))
        if value == holder
    ]
    found += [f"levels.{level}" for level, members in playbook.levels.items() if holder in members]
    return found


def _moment(ctx: Context, value: datetime | None, field: str) -> datetime:
    now = ctx.clock.now()
    if value is None:
        return now
    if value.tzinfo is None:
        raise InvalidInput(f"'{field}' needs a UTC offset, such as 2024-01-15T09:00Z", field)
    moment = value.astimezone(UTC)
    if not EARLIEST <= moment <= now + FURTHEST_AHEAD:
        raise InvalidInput(f"'{field}' lies between 1970 and a year from now", field)
    return moment


def _name(playbook: Playbook, person: str | None) -> str | None:
    return None if person is None else playbook.person_name(person)
