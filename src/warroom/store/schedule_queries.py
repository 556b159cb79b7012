"""Queries for schedule overrides and calendar feeds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.store.schedule_models import CalendarFeed, ScheduleOverride


def live_overrides(
    session: Session, schedules: Iterable[str], *, ending_after: datetime | None = None
) -> list[ScheduleOverride]:
    """The undeleted overrides of these schedules, in the order they were made (a later one
    wins where two cover the same moment); those over by `ending_after` left out."""
    statement = select(ScheduleOverride).where(
        ScheduleOverride.schedule.in_(list(schedules)), ScheduleOverride.deleted_at.is_(None)
    )
    if ending_after is not None:
        statement = statement.where(ScheduleOverride.end_at > ending_after)
    return list(session.execute(statement.order_by(ScheduleOverride.id)).scalars())


def override_by_id(session: Session, schedule: str, override_id: int) -> ScheduleOverride | None:
    statement = select(ScheduleOverride).where(
        ScheduleOverride.id == override_id, ScheduleOverride.schedule == schedule
    )
    return session.execute(statement).scalar_one_or_none()


def feed_by_hash(session: Session, digest: str) -> CalendarFeed | None:
    statement = select(CalendarFeed).where(CalendarFeed.token_hash == digest)
    return session.execute(statement).scalar_one_or_none()


def feeds_of(session: Session, schedule: str) -> list[CalendarFeed]:
    statement = select(CalendarFeed).where(CalendarFeed.schedule == schedule)
    return list(session.execute(statement.order_by(CalendarFeed.id)).scalars())


def feed_by_id(session: Session, schedule: str, feed_id: int) -> CalendarFeed | None:
    statement = select(CalendarFeed).where(
        CalendarFeed.id == feed_id, CalendarFeed.schedule == schedule
    )
    return session.execute(statement).scalar_one_or_none()
