"""The web UI's session rules: how long a sign-in lasts and the CSRF token that proves a
form came from one of our own pages. Pure: the clock is passed in.

A session ends 12 hours after it was last used (idle) and 7 days after sign-in whatever
happens (absolute): a responder signs in once for a shift, and a forgotten browser on a
shared machine is not signed in for ever.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=7)
# The idle deadline moves forward at most this often, so reading pages is not a write each.
REFRESH_EVERY = timedelta(minutes=5)
_CSRF_PURPOSE = b"warroom ui form"


def id_hash(session_id: str) -> str:
    """What the database keeps of a session id: a copy of the table signs nobody in."""
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def expiry(created_at: datetime, now: datetime) -> datetime:
    """The session's end if it is used at `now`: idle time from now, within the absolute."""
    return min(now + IDLE, created_at + ABSOLUTE)


def is_live(expires_at: datetime, revoked_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and now < expires_at


def needs_refresh(created_at: datetime, expires_at: datetime, now: datetime) -> bool:
    return expiry(created_at, now) - expires_at >= REFRESH_EVERY


def csrf_token(session_id: str) -> str:
    """The session's CSRF token, derived from its id (nothing more to store) and one-way,
    so a token seen in a page never reveals the cookie."""
    key = session_id.encode("utf-8", "replace")
    return hmac.new(key, _CSRF_PURPOSE, hashlib.sha256).hexdigest()


def csrf_matches(session_id: str, offered: str | None) -> bool:
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    expected = csrf_token(session_id).encode("ascii")
    return hmac.compare_digest(expected, (offered or "").encode("utf-8", "replace"))
