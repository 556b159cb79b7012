"""Web UI sign-in: an API token buys a server-side session, so the browser's cookie holds
only a random session id that signing out (or revoking the token) makes worthless.
Lifetimes are in `core.ui_sessions`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from warroom.core import ui_sessions as rules
from warroom.errors import Unauthorized
from warroom.service.context import Context
from warroom.service.tokens import Caller, live_token
from warroom.store import ui_sessions as queries
from warroom.store.models import UiSession


@dataclass(frozen=True)
class SignedIn:
    """A live session: who acts, the CSRF token its forms carry, and its id (the cookie's,
    never shown in a page)."""

    caller: Caller
    csrf: str
    session_id: str = field(repr=False)

    def csrf_matches(self, offered: str | None) -> bool:
        return rules.csrf_matches(self.session_id, offered)


def sign_in(ctx: Context, token: str) -> str:
    """A new session for a valid API token; returns the session id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        api_token = live_token(session, token)
        queries.delete_expired(session, now)
        session.add(
            UiSession(
                id_hash=rules.id_hash(session_id),
                token_id=api_token.id,
                created_at=now,
                expires_at=rules.expiry(now, now),
            )
        )
    return session_id


def resume(ctx: Context, session_id: str | None) -> SignedIn:
    """The caller behind a session cookie, if the session and its token are live; moves the
    idle deadline forward. Unauthorized otherwise."""
    if not session_id:
        raise Unauthorized("sign in with an API token", "session")
    now, key = ctx.clock.now(), rules.id_hash(session_id)
    with ctx.db.reader() as session:
        found = queries.session_and_token(session, key)
        if found is None:
            raise Unauthorized("the session is unknown; sign in again", "session")
        ui_session, token = found
        live = token.revoked_at is None and rules.is_live(
            ui_session.expires_at, ui_session.revoked_at, now
        )
        caller = Caller(name=token.name, role=token.role)
        created_at, expires_at = ui_session.created_at, ui_session.expires_at
    if not live:
        raise Unauthorized("the session has ended; sign in again", "session")
    if rules.needs_refresh(created_at, expires_at, now):
        with ctx.db.unit_of_work() as session:
            queries.extend(session, key, rules.expiry(created_at, now))
    return SignedIn(caller, rules.csrf_token(session_id), session_id)


def sign_out(ctx: Context, session_id: str) -> None:
    with ctx.db.unit_of_work() as session:
        queries.revoke(session, rules.id_hash(session_id), ctx.clock.now())
