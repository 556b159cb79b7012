"""Overrides: someone covers a schedule for a span. Durable rows with who made each and
when; deleting one keeps its row, marked with who deleted it and when."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.core.schedule_model import Schedule
from warroom.core.schedules import Override
from warroom.errors import InvalidInput, NotFound
from warroom.service.context import Context
from warroom.store import schedule_queries as queries
from warroom.store.schedule_models import ScheduleOverride

LONGEST_OVERRIDE = timedelta(days=366)


class OverrideOut(BaseModel):
    id: int
    schedule: str
    person: str
    start: datetime
    end: datetime
    created_by: str
    created_at: datetime
    deleted_by: str | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, row: ScheduleOverride) -> OverrideOut:
        return cls(
            id=row.id, schedule=row.schedule, person=row.person, start=row.start_at,
            end=row.end_at, created_by=row.created_by, created_at=row.created_at,
            deleted_by=row.deleted_by, deleted_at=row.deleted_at,
        )  # fmt: skip


def schedule_named(ctx: Context, schedule_id: str) -> Schedule:
    schedule = ctx.playbook.schedules.get(schedule_id)
    if schedule is None:
        known = ", ".join(ctx.playbook.schedules) or "none"
        raise NotFound(f"no schedule {schedule_id!r} (known: {known})", "schedule")
    return schedule


def overrides_by_schedule(
    session: Session, schedules: Collection[str], since: datetime | None = None
) -> dict[str, tuple[Override, ...]]:
    """Each schedule's live overrides as the core reads them (those over by `since` left
    out), in the order they were made."""
    found: dict[str, list[Override]] = {}
    if schedules:
        for row in queries.live_overrides(session, schedules, ending_after=since):
            found.setdefault(row.schedule, []).append(
                Override(row.person, row.start_at, row.end_at)
            )
    return {name: tuple(rows) for name, rows in found.items()}


def add_override(
    ctx: Context,
    session: Session,
    schedule_id: str,
    person: str,
    start: datetime,
    end: datetime,
    *,
    actor: str,
) -> OverrideOut:
    """`person` covers the schedule from `start` until `end`."""
    schedule_named(ctx, schedule_id)
    if person not in ctx.playbook.people:
        raise InvalidInput(f"unknown person {person!r}", "person")
    if end <= start:
        raise InvalidInput("an override ends after it starts", "end")
    if end - start > LONGEST_OVERRIDE:
        raise InvalidInput("an override lasts at most a year; change the rotation instead", "end")
    row = ScheduleOverride(
        schedule=schedule_id,
        person=person,
        start_at=start,
        end_at=end,
        created_by=actor,
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    return OverrideOut.of(row)


def delete_override(
    ctx: Context, session: Session, schedule_id: str, override_id: int, *, actor: str
) -> OverrideOut:
    """The override no longer applies; its row stays, with who deleted it and when."""
    schedule_named(ctx, schedule_id)
    row = queries.override_by_id(session, schedule_id, override_id)
    if row is None:
        raise NotFound(f"schedule {schedule_id!r} has no override {override_id}", "override")
    if row.deleted_at is None:
        row.deleted_at, row.deleted_by = ctx.clock.now(), actor
    return OverrideOut.of(row)


def list_overrides(
    ctx: Context, session: Session, schedule_id: str, *, include_past: bool = False
) -> list[OverrideOut]:
    """The schedule's live overrides (with `include_past`, those already over too)."""
    schedule_named(ctx, schedule_id)
    since = None if include_past else ctx.clock.now()
    rows = queries.live_overrides(session, [schedule_id], ending_after=since)
    return [OverrideOut.of(row) for row in rows]
