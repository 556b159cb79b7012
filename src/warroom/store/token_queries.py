"""Queries for API tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.store.models import ApiToken


def token_named(session: Session, name: str) -> ApiToken | None:
    statement = select(ApiToken).where(ApiToken.name == name)
    return session.execute(statement).scalar_one_or_none()


def token_by_hash(session: Session, digest: str) -> ApiToken | None:
    statement = select(ApiToken).where(ApiToken.token_hash == digest)
    return session.execute(statement).scalar_one_or_none()


def all_tokens(session: Session) -> list[ApiToken]:
    """Every token, revoked ones too, oldest first."""
    return list(session.execute(select(ApiToken).order_by(ApiToken.id)).scalars())
