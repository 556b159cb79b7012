"""The schedules page: who is on call now on each schedule, the next two weeks as a
timeline, and an override form, posted with the page's CSRF token (post/redirect/get)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warroom.api.deps import ContextDep
from warroom.errors import InvalidInput, WarroomError
from warroom.service.schedules import changes, overrides, reading
from warroom.web.sessions import UiPost, UiSession
from warroom.web.ui import render

router = APIRouter(include_in_schema=False)
TIMELINE = timedelta(weeks=2)


@router.get("/ui/schedules")
def schedules_page(request: Request, ctx: ContextDep, session: UiSession) -> HTMLResponse:
    now = ctx.clock.now()
    shown = [
        {
            "schedule": listed,
            "zone": ZoneInfo(listed.timezone),
            "shifts": ctx.read(reading.shifts_between, listed.id, now, now + TIMELINE),
            "overrides": ctx.read(overrides.list_overrides, listed.id),
        }
        for listed in ctx.read(reading.list_schedules)
    ]
    return render(request, "ui/schedules.html", session, schedules=shown, span=TIMELINE)


@router.post("/ui/schedules/{schedule_id}/overrides")
def add_override(schedule_id: str, ctx: ContextDep, post: UiPost) -> Response:
    form, caller = post.form, post.session.caller
    try:
        caller.require("responder")
        schedule = overrides.schedule_named(ctx, schedule_id)
        zone = ZoneInfo(schedule.timezone)
        start = _local(form.get("start", ""), zone, "start")
        end = _local(form.get("end", ""), zone, "end")
        person = form.get("person", "")
        ctx.transact(changes.cover, schedule_id, person, start, end, actor=caller.name)
    except WarroomError as exc:
        return _back(problem=exc.message)
    return _back(flash=f"{ctx.playbook.person_name(person)} covers {schedule_id}")


@router.post("/ui/schedules/{schedule_id}/overrides/{override_id}/delete")
def delete_override(
    schedule_id: str,
    override_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    ctx: ContextDep,
    post: UiPost,
) -> Response:
    caller = post.session.caller
    try:
        caller.require("responder")
        ctx.transact(changes.uncover, schedule_id, override_id, actor=caller.name)
    except WarroomError as exc:
        return _back(problem=exc.message)
    return _back(flash=f"Override {override_id} of {schedule_id} deleted")


def _local(value: str, zone: ZoneInfo, field: str) -> datetime:
    """A datetime-local field's value, a wall-clock time in the schedule's timezone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field}: give a date and time", field) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _back(*, flash: str | None = None, problem: str | None = None) -> Response:
    note = f"?flash={quote(flash)}" if flash else f"?problem={quote(problem or '')}"
    return RedirectResponse(f"/ui/schedules{note}", status_code=303)
