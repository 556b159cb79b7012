"""The responders' web UI: server-rendered pages over the same service functions as the API.

Signing in with an API token opens a server-side session (`web.sessions`); every form
carries its CSRF token, posts back and redirects (post/redirect/get), so a reload never
repeats an action.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from warroom.api.deps import ContextDep
from warroom.core.business_hours import clock_for
from warroom.core.durations import humanize
from warroom.core.incident import TEXT_MAX, TITLE_MAX
from warroom.errors import NotFound, Unauthorized, WarroomError
from warroom.service.context import Context
from warroom.service.incidents import investigation, publishing, reading
from warroom.service.incidents import lifecycle as service
from warroom.service.messages import MESSAGE_KINDS, message_or_error
from warroom.service.schemas import IncidentOut
from warroom.service.ui_sessions import SignedIn, sign_in, sign_out
from warroom.web import checklist
from warroom.web.sessions import (
    COOKIE,
    Refused,
    SignInRequired,
    UiPost,
    UiSession,
    clear_cookie,
    read_form,
    resumed,
    same_origin,
    set_cookie,
)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
Form = Annotated[dict[str, str], Depends(read_form)]


async def signed_in_gate(scope: Scope) -> Response | None:
    """A form post shows its sign-in before its body is read (the sign-in form aside)."""
    if scope["method"] in ("GET", "HEAD") or scope["path"] == "/ui/login":
        return None
    request = Request(scope)
    try:
        signed_in = await run_in_threadpool(
            resumed, request.app.state.context, request.cookies.get(COOKIE)
        )
    except Unauthorized:
        return RedirectResponse("/ui/login", status_code=303)
    request.state.ui_session = signed_in  # `sessions.current` reuses it
    return None


def install(app: FastAPI) -> None:
    """Mount the UI: its routes, a redirect to sign-in for any page without a live session,
    and a 403 page for a POST that failed the origin or CSRF check."""

    async def _sign_in(_request: Request, _exc: Exception) -> Response:
        return RedirectResponse("/ui/login", status_code=303)

    async def _refused(request: Request, exc: Exception) -> Response:
        problem = exc.message if isinstance(exc, Refused) else "refused"
        return _page(request, "ui/refused.html", status=403, problem=problem)

    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(Refused, _refused)
    app.include_router(router)
    app.include_router(checklist.router)


def _page(
    request: Request,
    name: str,
    status: int = 200,
    session: SignedIn | None = None,
    **values: Any,
) -> HTMLResponse:
    ctx: Context = request.app.state.context
    if session is not None:
        values.update(caller=session.caller, csrf=session.csrf)
    values.setdefault("playbook", ctx.playbook)
    values.setdefault("now", ctx.clock.now())
    values.setdefault("flash", request.query_params.get("flash"))
    values.setdefault("problem", request.query_params.get("problem"))
    return templates.TemplateResponse(request, name, values, status_code=status)


def render(request: Request, name: str, session: SignedIn, **values: Any) -> HTMLResponse:
    """A signed-in page of another UI module, in the same frame as these."""
    return _page(request, name, session=session, **values)


def _back(path: str, *, flash: str | None = None, problem: str | None = None) -> Response:
    note = f"?flash={quote(flash)}" if flash else f"?problem={quote(problem or '')}"
    return RedirectResponse(path + note, status_code=303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui/login")
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "ui/login.html")


@router.post("/ui/login", dependencies=[Depends(same_origin)])
def login(request: Request, ctx: ContextDep, form: Form) -> Response:
    try:
        session_id = ctx.transact(sign_in, form.get("token", ""))
    except Unauthorized as exc:
        return _page(request, "ui/login.html", status=401, problem=exc.message)
    response = RedirectResponse("/ui", status_code=303)
    set_cookie(response, session_id, ctx.settings)
    return response


@router.post("/ui/logout")
def logout(ctx: ContextDep, post: UiPost) -> Response:
    ctx.transact(sign_out, post.session.session_id)
    response = RedirectResponse("/ui/login", status_code=303)
    clear_cookie(response, ctx.settings)
    return response


@router.get("/ui")
def incident_list(request: Request, ctx: ContextDep, session: UiSession) -> HTMLResponse:
    open_now = ctx.read(reading.list_incidents, status="open")
    recent = ctx.read(reading.list_incidents, status="resolved", limit=20)
    return _page(request, "ui/list.html", session=session, open_incidents=open_now, recent=recent)


@router.post("/ui/incidents")
def declare(ctx: ContextDep, post: UiPost) -> Response:
    form, caller = post.form, post.session.caller
    try:
        caller.require("responder")
        incident = ctx.transact(
            service.declare,
            service.Declaration(
                title=form.get("title", ""),
                severity=_int(form.get("severity")),
                summary=form.get("summary", ""),
                services=_services(form),
            ),
            actor=caller.name,
        )
    except WarroomError as exc:
        return _back("/ui", problem=exc.message)
    return _back(f"/ui/incidents/{incident.reference}", flash="Incident declared")


@router.get("/ui/incidents/{reference}")
def incident_page(
    reference: str, request: Request, ctx: ContextDep, session: UiSession
) -> HTMLResponse:
    try:
        incident = ctx.read(reading.get_incident, reference)
    except WarroomError as exc:
        return _page(
            request, "ui/missing.html", exc.status_code, session=session, problem=exc.message
        )
    kinds = [k for k in MESSAGE_KINDS if k != "resolution" or incident.status == "resolved"]
    messages = {kind: ctx.read(message_or_error, reference, kind) for kind in kinds}
    return _page(
        request,
        "ui/incident.html",
        session=session,
        incident=incident,
        timeline=ctx.read(reading.get_timeline, reference),
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
def act(reference: str, action: str, ctx: ContextDep, post: UiPost) -> Response:
    page = f"/ui/incidents/{reference}"
    try:
        post.session.caller.require("responder")
        done = _perform(ctx, reference, action, post.form, post.session.caller.name)
    except WarroomError as exc:
        return _back(page, problem=exc.message)
    return _back(page, flash=done)


def _perform(ctx: Context, ref: str, action: str, form: dict[str, str], actor: str) -> str:
    """One form action -> one service call; returns what to tell the user."""
    if action == "acknowledge":
        ctx.transact(service.acknowledge, ref, actor=actor, person=form.get("person") or None)
    elif action == "status":
        ctx.transact(
            service.change_status,
            ref,
            status=form.get("status", ""),
            note=form.get("note"),
            actor=actor,
        )
    elif action == "severity":
        ctx.transact(
            service.change_severity,
            ref,
            severity=_int(form.get("severity")),
            reason=form.get("reason", ""),
            actor=actor,
        )
    elif action == "update":
        ctx.transact(
            publishing.post_update,
            ref,
            message=form.get("message", ""),
            audience=form.get("audience", "internal"),
            public_title=form.get("public_title") or None,
            actor=actor,
        )
    elif action == "publish":
        ctx.transact(
            publishing.publish,
            ref,
            public_title=form.get("public_title", ""),
            message=form.get("message") or None,
            actor=actor,
        )
    elif action == "attempt":
        ctx.transact(
            investigation.record_attempt,
            ref,
            action=form.get("action", ""),
            outcome=form.get("outcome", ""),
            hypothesis=form.get("hypothesis") or None,
            actor=actor,
        )
    elif action == "resolve":
        ctx.transact(
            service.resolve,
            ref,
            resolution=form.get("resolution", ""),
            root_cause=form.get("root_cause") or None,
            prevention=form.get("prevention") or None,
            actor=actor,
        )
    elif action == "role":
        ctx.transact(
            service.assign_role,
            ref,
            role=form.get("role", ""),
            person=form.get("person", ""),
            actor=actor,
        )
    elif action == "engage":
        ctx.transact(service.engage, ref, sme=form.get("sme", ""), actor=actor)
    elif action == "reopen":
        ctx.transact(service.reopen, ref, reason=form.get("reason", ""), actor=actor)
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
templates.env.globals.update(title_max=TITLE_MAX, text_max=TEXT_MAX)
