"""The UI's side of sign-in: the session cookie, and the checks every POST passes before it
changes anything: it comes from our own origin, from a live session, with that session's
CSRF token in its form. They run in that order, so a foreign or signed-out POST is refused
before its body is read.

The sign-in form has no session yet, so it has the origin check only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import Cookie, Depends, Request
from fastapi.responses import Response

from warroom.api.deps import ContextDep
from warroom.core.ui_sessions import ABSOLUTE
from warroom.errors import Forbidden, Unauthorized
from warroom.service import ui_sessions
from warroom.service.context import Context
from warroom.service.ui_sessions import SignedIn
from warroom.settings import Settings

COOKIE = "warroom_session"
FORM_TYPE = "application/x-www-form-urlencoded"


class SignInRequired(Exception):
    pass


class Refused(Forbidden):
    """A POST that may not come from one of our pages: refused before it acts."""


@dataclass(frozen=True)
class Posted:
    """A POST that passed every check: its session and its form's fields."""

    session: SignedIn
    form: dict[str, str]


def set_cookie(response: Response, session_id: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(ABSOLUTE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )


def clear_cookie(response: Response, settings: Settings) -> None:
    # The same attributes as set_cookie, or a browser may keep the Secure one.
    response.delete_cookie(
        COOKIE, httponly=True, samesite="lax", secure=settings.public_url.startswith("https://")
    )


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def own_origins(request: Request, settings: Settings) -> set[str]:
    """The public URL's origin, and the one the request was sent to (a responder may reach
    the server directly, by another name). A foreign page cannot borrow the second: the
    browser sends our cookie only to our own host."""
    here = _origin(f"{request.url.scheme}://{request.headers.get('host', '')}")
    return {origin for origin in (_origin(settings.public_url), here) if origin}


def same_origin(ctx: ContextDep, request: Request) -> None:
    """Refuse a POST whose Origin (or, without one, Referer) is not our own."""
    sent = request.headers.get("origin") or _origin(request.headers.get("referer"))
    if sent is None or sent.lower() not in own_origins(request, ctx.settings):
        raise Refused("this form was not sent from warroom's own pages", "origin")


def current(
    ctx: ContextDep, request: Request, warroom_session: Annotated[str | None, Cookie()] = None
) -> SignedIn:
    """The request's live session: the one the door's gate resumed for a POST, else resumed
    here from the cookie."""
    found: SignedIn | None = getattr(request.state, "ui_session", None)
    if found is not None:
        return found
    try:
        return resumed(ctx, warroom_session)
    except Unauthorized as exc:
        raise SignInRequired from exc


def resumed(ctx: Context, session_id: str | None) -> SignedIn:
    """The live session behind a cookie, else Unauthorized: read without a write turn, its
    idle deadline moved forward in a write of its own only when that is due."""
    signed_in = ctx.read(ui_sessions.resume, session_id)
    if signed_in.renew_until is not None:
        ctx.transact(ui_sessions.renew, signed_in.session_id, signed_in.renew_until)
    return signed_in


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields, last value wins; anything but a plain HTML form is refused."""
    if request.headers.get("content-type", FORM_TYPE).split(";")[0].strip() != FORM_TYPE:
        raise Refused("the UI takes HTML forms only", "content-type")
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[-1].strip() for key, values in parse_qs(body).items()}


async def posted(
    request: Request,
    _same_origin: Annotated[None, Depends(same_origin)],
    session: Annotated[SignedIn, Depends(current)],
) -> Posted:
    form = await read_form(request)
    if not session.csrf_matches(form.get("csrf")):
        raise Refused("the form's CSRF token is missing or stale; reload the page", "csrf")
    return Posted(session, form)


UiSession = Annotated[SignedIn, Depends(current)]
UiPost = Annotated[Posted, Depends(posted)]
