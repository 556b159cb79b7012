"""API tokens: shown once, stored as a SHA-256 hash, each with a role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from warroom.service.context import Context
from warroom.store import token_queries as queries
from warroom.store.models import ApiToken

ROLES = ("viewer", "responder", "admin")
TOKEN_PREFIX = "wr_"


@dataclass(frozen=True)
class Caller:
    name: str
    role: str

    def require(self, role: str) -> None:
        if ROLES.index(self.role) < ROLES.index(role):
            raise Forbidden(f"this needs a {role} token; {self.name!r} is a {self.role}", "token")


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(ctx: Context, session: Session, name: str, role: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a token needs a name", "name")
    if role not in ROLES:
        raise InvalidInput(f"role is one of {', '.join(ROLES)}", "role")
    if queries.token_named(session, name) is not None:
        raise Conflict(f"a token named {name!r} exists; revoke it or pick another name", "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(name=name, role=role, token_hash=hash_secret(secret), created_at=ctx.clock.now())
    )
    return secret


def list_tokens(ctx: Context, session: Session) -> list[TokenInfo]:
    return [
        TokenInfo(t.name, t.role, t.created_at, t.revoked_at) for t in queries.all_tokens(session)
    ]


def revoke_token(ctx: Context, session: Session, name: str) -> None:
    token = queries.token_named(session, name)
    if token is None:
        raise NotFound(f"no token named {name!r}", "name")
    if token.revoked_at is None:
        token.revoked_at = ctx.clock.now()


def authenticate(ctx: Context, session: Session, secret: str | None) -> Caller:
    token = live_token(session, secret)
    return Caller(name=token.name, role=token.role)


def live_token(session: Session, secret: str | None) -> ApiToken:
    """The unrevoked token whose secret this is, else Unauthorized."""
    if not secret:
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'", "token")
    token = queries.token_by_hash(session, hash_secret(secret))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the token is unknown or revoked", "token")
    return token
