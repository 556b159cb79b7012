"""The responders' web UI: server-rendered pages over the same service functions as the API.

Sign-in stores the API token in an HttpOnly, SameSite=Strict cookie; every form posts back
and redirects (post/redirect/get), so a reload never repeats an action.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Cookie, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from warroom.api.deps import ContextDep
from warroom.core.business_hours import clock_for
from warroom.core.durations import humanize
from warroom.errors import NotFound, Unauthorized, WarroomError
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as service
from warroom.service.messages import MESSAGE_KINDS, message_or_error
from warroom.service.schemas import IncidentOut
from warroom.service.tokens import Caller, authenticate

COOKIE = "warroom_token"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


class SignInRequired(Exception):
    pass


def _caller(ctx: ContextDep, warroom_token: Annotated[str | None, Cookie()] = None) -> Caller:
    try:
        return authenticate(ctx, warroom_token)
    except Unauthorized as exc:
        raise SignInRequired from exc


UiCaller = Annotated[Caller, Depends(_caller)]


def install(app: FastAPI) -> None:
    """Mount the UI: its routes, and a redirect to sign-in for any page without a token."""

    async def _sign_in(_request: Request, _exc: Exception) -> Response:
        return RedirectResponse("/ui/login", status_code=303)

    app.add_exception_handler(SignInRequired, _sign_in)
    app.include_router(router)


def _page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    ctx: Context = request.app.state.context
    values.setdefault("playbook", ctx.playbook)
    values.setdefault("now", ctx.clock.now())
    values.setdefault("flash", request.query_params.get("flash"))
    values.setdefault("problem", request.query_params.get("problem"))
    return templates.TemplateResponse(request, name, values, status_code=status)


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[-1].strip() for key, values in parse_qs(body).items()}


def _back(path: str, *, flash: str | None = None, problem: str | None = None) -> Response:
    note = f"?flash={quote(flash)}" if flash else f"?problem={quote(problem or '')}"
    return RedirectResponse(path + note, status_code=303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui/login")
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "ui/login.html")


@router.post("/ui/login")
async def login(request: Request, ctx: ContextDep) -> Response:
    token = (await _form(request)).get("token", "")
    try:
        authenticate(ctx, token)
    except Unauthorized as exc:
        return _page(request, "ui/login.html", status=401, problem=exc.message)
    response = RedirectResponse("/ui", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/ui/logout")
def logout() -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/ui")
def incident_list(request: Request, ctx: ContextDep, caller: UiCaller) -> HTMLResponse:
    open_now = service.list_incidents(ctx, status="open")
    recent = service.list_incidents(ctx, status="resolved", limit=20)
    return _page(request, "ui/list.html", caller=caller, open_incidents=open_now, recent=recent)


@router.post("/ui/incidents")
async def declare(request: Request, ctx: ContextDep, caller: UiCaller) -> Response:
    form = await _form(request)
    try:
        caller.require("responder")
        incident = service.declare(
            ctx,
            title=form.get("title", ""),
            severity=_int(form.get("severity")),
            summary=form.get("summary", ""),
            services=_services(form),
            actor=caller.name,
        )
    except WarroomError as exc:
        return _back("/ui", problem=exc.message)
    return _back(f"/ui/incidents/{incident.reference}", flash="Incident declared")


@router.get("/ui/incidents/{reference}")
def incident_page(
    reference: str, request: Request, ctx: ContextDep, caller: UiCaller
) -> HTMLResponse:
    try:
        incident = service.get_incident(ctx, reference)
    except WarroomError as exc:
        return _page(
            request, "ui/missing.html", status=exc.status_code, caller=caller, problem=exc.message
        )
    kinds = [k for k in MESSAGE_KINDS if k != "resolution" or incident.status == "resolved"]
    messages = {kind: message_or_error(ctx, reference, kind) for kind in kinds}
    return _page(
        request,
        "ui/incident.html",
        caller=caller,
        incident=incident,
        timeline=service.get_timeline(ctx, reference),
        messages=messages,
        severity=ctx.playbook.severities[incident.severity],
        deadlines=_deadlines(ctx, incident),
    )


def _deadlines(ctx: Context, incident: IncidentOut) -> dict[str, datetime]:
    """The response and resolution due times, on the severity's clock (business time for a
    business-hours severity)."""
    severity = ctx.playbook.severities[incident.severity]
    clock = clock_for(ctx.playbook, incident.severity)
    return {
        "response": clock.after(incident.declared_at, severity.response_time),
        "resolution": clock.after(incident.declared_at, severity.resolution_target),
    }


@router.post("/ui/incidents/{reference}/{action}")
async def act(
    reference: str, action: str, request: Request, ctx: ContextDep, caller: UiCaller
) -> Response:
    form = await _form(request)
    page = f"/ui/incidents/{reference}"
    try:
        caller.require("responder")
        done = _perform(ctx, reference, action, form, caller.name)
    except WarroomError as exc:
        return _back(page, problem=exc.message)
    return _back(page, flash=done)


def _perform(ctx: Context, ref: str, action: str, form: dict[str, str], actor: str) -> str:
    """One form action -> one service call; returns what to tell the user."""
    if action == "acknowledge":
        service.acknowledge(ctx, ref, actor=actor, person=form.get("person") or None)
    elif action == "status":
        service.change_status(
            ctx, ref, status=form.get("status", ""), note=form.get("note"), actor=actor
        )
    elif action == "severity":
        service.change_severity(
            ctx,
            ref,
            severity=_int(form.get("severity")),
            reason=form.get("reason", ""),
            actor=actor,
        )
    elif action == "update":
        service.post_update(
            ctx,
            ref,
            message=form.get("message", ""),
            audience=form.get("audience", "internal"),
            actor=actor,
        )
    elif action == "attempt":
        service.record_attempt(
            ctx,
            ref,
            action=form.get("action", ""),
            outcome=form.get("outcome", ""),
            hypothesis=form.get("hypothesis") or None,
            actor=actor,
        )
    elif action == "resolve":
        service.resolve(
            ctx,
            ref,
            resolution=form.get("resolution", ""),
            root_cause=form.get("root_cause") or None,
            actor=actor,
        )
    elif action == "role":
        service.assign_role(
            ctx, ref, role=form.get("role", ""), person=form.get("person", ""), actor=actor
        )
    elif action == "engage":
        service.engage(ctx, ref, sme=form.get("sme", ""), actor=actor)
    elif action == "reopen":
        service.reopen(ctx, ref, reason=form.get("reason", ""), actor=actor)
    else:
        raise NotFound(f"unknown action {action!r}", "action")
    return f"{action.replace('_', ' ').capitalize()} recorded"


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _services(form: dict[str, str]) -> list[str]:
    return [s.strip() for s in form.get("services", "").split(",") if s.strip()]


def until(moment: datetime, now: datetime) -> str:
    """'in 12 minutes' / '3 minutes ago', for countdowns."""
    delta = moment - now
    return f"in {humanize(delta)}" if delta.total_seconds() >= 0 else f"{humanize(-delta)} ago"


templates.env.filters["until"] = until
templates.env.filters["stamp"] = lambda m: m.strftime("%Y-%m-%d %H:%M:%S UTC") if m else "—"
templates.env.filters["human"] = humanize


def detail(value: object) -> str:
    """Timeline data for people: lists joined, mappings as key=value."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    return str(value)


templates.env.filters["detail"] = detail
