"""Web UI sign-in: an API token buys a server-side session, so the browser's cookie holds
only a random session id that signing out (or revoking the token) makes worthless.
Lifetimes are in `core.ui_sessions`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.core import ui_sessions as rules
from warroom.errors import Unauthorized
from warroom.service.context import Context
from warroom.service.tokens import Caller, live_token
from warroom.store import ui_sessions as queries
from warroom.store.models import UiSession


@dataclass(frozen=True)
class SignedIn:
    """A live session: who acts, the CSRF token its forms carry, and its id (the cookie's,
    never shown in a page). `renew_until` is the later idle deadline it is due, if any."""

    caller: Caller
    csrf: str
    session_id: str = field(repr=False)
    renew_until: datetime | None = field(default=None, repr=False)

    def csrf_matches(self, offered: str | None) -> bool:
        return rules.csrf_matches(self.session_id, offered)


def sign_in(ctx: Context, session: Session, token: str) -> str:
    """A new session for a valid API token; returns the session id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    now = ctx.clock.now()
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


def resume(ctx: Context, session: Session, session_id: str | None) -> SignedIn:
    """The caller behind a session cookie, if the session and its token are live, else
    Unauthorized. Only reads: a session due a later idle deadline says so (`renew_until`)
    and `renew` writes it, so that reading pages is not a write each."""
    if not session_id:
        raise Unauthorized("sign in with an API token", "session")
    now = ctx.clock.now()
    found = queries.session_and_token(session, rules.id_hash(session_id))
    if found is None:
        raise Unauthorized("the session is unknown; sign in again", "session")
    ui_session, token = found
    if token.revoked_at is not None or not rules.is_live(
        ui_session.expires_at, ui_session.revoked_at, now
    ):
        raise Unauthorized("the session has ended; sign in again", "session")
    created_at, expires_at = ui_session.created_at, ui_session.expires_at
    due = rules.needs_refresh(created_at, expires_at, now)
    return SignedIn(
        Caller(name=token.name, role=token.role),
        rules.csrf_token(session_id),
        session_id,
        renew_until=rules.expiry(created_at, now) if due else None,
    )


def renew(ctx: Context, session: Session, session_id: str, until: datetime) -> None:
    """Move a resumed session's idle deadline forward to `until` (its `renew_until`)."""
    queries.extend(session, rules.id_hash(session_id), until)


def sign_out(ctx: Context, session: Session, session_id: str) -> None:
    queries.revoke(session, rules.id_hash(session_id), ctx.clock.now())
