"""Queries for web UI sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from warroom.store.models import ApiToken, UiSession


def session_and_token(session: Session, id_hash: str) -> tuple[UiSession, ApiToken] | None:
    statement = (
        select(UiSession, ApiToken)
        .join(ApiToken, ApiToken.id == UiSession.token_id)
        .where(UiSession.id_hash == id_hash)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def extend(session: Session, id_hash: str, expires_at: datetime) -> None:
    statement = update(UiSession).where(UiSession.id_hash == id_hash)
    session.execute(statement.values(expires_at=expires_at))


def revoke(session: Session, id_hash: str, now: datetime) -> None:
    statement = update(UiSession).where(
        UiSession.id_hash == id_hash, UiSession.revoked_at.is_(None)
    )
    session.execute(statement.values(revoked_at=now))


def delete_expired(session: Session, now: datetime) -> None:
    session.execute(delete(UiSession).where(UiSession.expires_at < now))
