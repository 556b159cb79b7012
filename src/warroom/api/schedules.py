"""On-call schedule routes (SPEC §8): the schedules, who is on call, shifts, overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from warroom.api.deps import ContextDep, Responder, Viewer
from warroom.service.schedules import calendar, changes, overrides, reading
from warroom.service.schedules.calendar import FeedOut
from warroom.service.schedules.overrides import OverrideOut
from warroom.service.schedules.reading import OnCallOut, ScheduleOut, ShiftOut

router = APIRouter(prefix="/api/v1/schedules", tags=["schedules"])
feeds = APIRouter(tags=["schedules"])  # the calendar feeds, behind their secret URLs
Moment = Annotated[AwareDatetime | None, Query(description="UTC time (ISO 8601); default now")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The row's id")]
PersonId = Annotated[str, Field(max_length=100, description="A person id of the playbook")]


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: PersonId
    start: AwareDatetime
    end: AwareDatetime


@router.get("")
def list_schedules(ctx: ContextDep, _caller: Viewer) -> list[ScheduleOut]:
    """Every schedule of the playbook, with who is on call now."""
    return ctx.read(reading.list_schedules)


@router.get("/{schedule_id}/oncall")
def on_call(schedule_id: str, ctx: ContextDep, _caller: Viewer, at: Moment = None) -> OnCallOut:
    """Who is on call at `at` (overrides applied), since when and until when."""
    return ctx.read(reading.on_call_at, schedule_id, at)


@router.get("/{schedule_id}/shifts")
def shifts(
    schedule_id: str,
    ctx: ContextDep,
    _caller: Viewer,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> list[ShiftOut]:
    """The shifts from `from` (default now) to `to` (default two weeks on), overrides
    applied; a gap is a shift whose person is null."""
    return ctx.read(reading.shifts_between, schedule_id, start, end)


@router.get("/{schedule_id}/overrides")
def list_overrides(
    schedule_id: str,
    ctx: ContextDep,
    _caller: Viewer,
    past: Annotated[bool, Query(description="Include those already over")] = False,
) -> list[OverrideOut]:
    """The schedule's overrides that are not deleted, in the order they were made."""
    return ctx.read(overrides.list_overrides, schedule_id, include_past=past)


@router.post("/{schedule_id}/overrides", status_code=201)
def add_override(
    schedule_id: str, body: OverrideBody, ctx: ContextDep, caller: Responder
) -> OverrideOut:
    """`person` covers the schedule from `start` until `end`."""
    return ctx.transact(
        changes.cover, schedule_id, body.person, body.start, body.end, actor=caller.name
    )


@router.delete("/{schedule_id}/overrides/{override_id}")
def delete_override(
    schedule_id: str, override_id: RowId, ctx: ContextDep, caller: Responder
) -> OverrideOut:
    """The override no longer applies; it is kept, with who deleted it and when."""
    return ctx.transact(changes.uncover, schedule_id, override_id, actor=caller.name)


class FeedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: PersonId | None = Field(None, description="Only this person's shifts")


@router.post("/{schedule_id}/calendar", status_code=201)
def create_feed(
    schedule_id: str, ctx: ContextDep, caller: Responder, body: FeedBody | None = None
) -> FeedOut:
    """A secret calendar URL of the schedule's shifts (or one person's), shown this once."""
    person = body.person if body else None
    return ctx.transact(calendar.create_feed, schedule_id, person, actor=caller.name)


@router.get("/{schedule_id}/calendar")
def list_feeds(schedule_id: str, ctx: ContextDep, _caller: Viewer) -> list[FeedOut]:
    """The schedule's calendar feeds (never their secrets)."""
    return ctx.read(calendar.list_feeds, schedule_id)


@router.delete("/{schedule_id}/calendar/{feed_id}")
def revoke_feed(schedule_id: str, feed_id: RowId, ctx: ContextDep, _caller: Responder) -> FeedOut:
    """The feed's URL stops working at once."""
    return ctx.transact(calendar.revoke_feed, schedule_id, feed_id)


@feeds.get("/calendar/{secret}.ics", response_class=Response)
def calendar_feed(secret: str, ctx: ContextDep) -> Response:
    """RFC 5545 iCalendar of the next 12 weeks' shifts; the secret URL is the credential."""
    body = ctx.read(calendar.feed_ics, secret)
    return Response(body, media_type="text/calendar; charset=utf-8")
