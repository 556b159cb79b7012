"""Calendar feeds: a secret URL per schedule (or per person on it) serving RFC 5545
iCalendar of the next 12 weeks' shifts. The secret is shown once and kept only as a hash,
as API tokens are; a feed is revocable. Each shift's UID is a function of the schedule,
the person and the shift's start, so a calendar application updates it in place."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.core import schedules as oncall
from warroom.errors import InvalidInput, NotFound
from warroom.service.context import Context
from warroom.service.schedules.overrides import overrides_by_schedule, schedule_named
from warroom.service.tokens import hash_secret
from warroom.store import schedule_queries as queries
from warroom.store.schedule_models import CalendarFeed

FEED_PREFIX = "wrcal_"
FEED_WEEKS = timedelta(weeks=12)


class FeedOut(BaseModel):
    id: int
    schedule: str
    person: str | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    url: str | None = None  # only in the answer that creates it

    @classmethod
    def of(cls, row: CalendarFeed, url: str | None = None) -> FeedOut:
        return cls(
            id=row.id, schedule=row.schedule, person=row.person, created_by=row.created_by,
            created_at=row.created_at, revoked_at=row.revoked_at, url=url,
        )  # fmt: skip


def create_feed(
    ctx: Context, session: Session, schedule_id: str, person: str | None, *, actor: str
) -> FeedOut:
    """A new secret feed URL of the schedule's shifts (one person's with `person`)."""
    schedule_named(ctx, schedule_id)
    if person is not None and person not in ctx.playbook.people:
        raise InvalidInput(f"unknown person {person!r}", "person")
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    row = CalendarFeed(
        token_hash=hash_secret(secret),
        schedule=schedule_id,
        person=person,
        created_by=actor,
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    return FeedOut.of(row, f"{ctx.settings.public_url}/calendar/{secret}.ics")


def list_feeds(ctx: Context, session: Session, schedule_id: str) -> list[FeedOut]:
    schedule_named(ctx, schedule_id)
    return [FeedOut.of(row) for row in queries.feeds_of(session, schedule_id)]


def revoke_feed(ctx: Context, session: Session, schedule_id: str, feed_id: int) -> FeedOut:
    schedule_named(ctx, schedule_id)
    row = queries.feed_by_id(session, schedule_id, feed_id)
    if row is None:
        raise NotFound(f"schedule {schedule_id!r} has no calendar feed {feed_id}", "feed")
    if row.revoked_at is None:
        row.revoked_at = ctx.clock.now()
    return FeedOut.of(row)


def feed_ics(ctx: Context, session: Session, secret: str) -> bytes:
    """The feed behind a secret: the shifts from the start of the current one until 12
    weeks from now. Unknown or revoked: NotFound (nothing tells the two apart)."""
    row = queries.feed_by_hash(session, hash_secret(secret))
    if row is None or row.revoked_at is not None or row.schedule not in ctx.playbook.schedules:
        raise NotFound("no such calendar feed", "token")
    schedule = ctx.playbook.schedules[row.schedule]
    now = ctx.clock.now()
    overrides = overrides_by_schedule(session, [row.schedule], now).get(row.schedule, ())
    start = oncall.on_call(schedule, overrides, now).since or now
    calendar = Calendar()
    calendar.add("prodid", "-//warroom//on-call schedules//EN")
    calendar.add("version", "2.0")
    title = row.schedule if row.person is None else f"{row.schedule}: {row.person}"
    calendar.add("x-wr-calname", f"On call: {title}")
    for shift in oncall.shifts(schedule, overrides, start, now + FEED_WEEKS):
        if shift.person is None or row.person not in (None, shift.person):
            continue
        calendar.add_component(_event(ctx, row.schedule, shift, now))
    ics: bytes = calendar.to_ical()
    return ics


def _event(ctx: Context, schedule_id: str, shift: oncall.Shift, now: datetime) -> Event:
    assert shift.person is not None
    event = Event()
    event.add("uid", f"{schedule_id}.{shift.person}.{shift.start:%Y%m%dT%H%M%SZ}@warroom")
    event.add("dtstamp", now)
    event.add("dtstart", shift.start)
    event.add("dtend", shift.end)
    event.add("summary", f"On call: {ctx.playbook.person_name(shift.person)} ({schedule_id})")
    return event
