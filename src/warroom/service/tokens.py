"""API tokens: shown once, stored as a SHA-256 hash, each with a role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from warroom.service.context import Context
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


def create_token(ctx: Context, name: str, role: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a token needs a name", "name")
    if role not in ROLES:
        raise InvalidInput(f"role is one of {', '.join(ROLES)}", "role")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.db.unit_of_work() as session:
        if session.execute(select(ApiToken).where(ApiToken.name == name)).first():
            raise Conflict(f"a token named {name!r} exists; revoke it or pick another name", "name")
        session.add(
            ApiToken(
                name=name, role=role, token_hash=hash_secret(secret), created_at=ctx.clock.now()
            )
        )
    return secret


def list_tokens(ctx: Context) -> list[TokenInfo]:
    with ctx.db.reader() as session:
        rows = session.execute(select(ApiToken).order_by(ApiToken.id)).scalars()
        return [TokenInfo(t.name, t.role, t.created_at, t.revoked_at) for t in rows]


def revoke_token(ctx: Context, name: str) -> None:
    with ctx.db.unit_of_work() as session:
        token = session.execute(select(ApiToken).where(ApiToken.name == name)).scalar_one_or_none()
        if token is None:
            raise NotFound(f"no token named {name!r}", "name")
        if token.revoked_at is None:
            token.revoked_at = ctx.clock.now()


def authenticate(ctx: Context, secret: str | None) -> Caller:
    with ctx.db.reader() as session:
        token = live_token(session, secret)
        return Caller(name=token.name, role=token.role)


def live_token(session: Session, secret: str | None) -> ApiToken:
    """The unrevoked token whose secret this is, else Unauthorized."""
    if not secret:
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'", "token")
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the token is unknown or revoked", "token")
    return token
