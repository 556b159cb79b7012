"""Integration keys: created once and shown once, listed, revoked, and checked on
every intake request: the key here (remembered for a while), its revocation again by the
inbox's group commit (`group_commit.store`), so that a revocation in any process refuses
the very next payload."""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from warroom.errors import Conflict, InvalidInput, NotFound, Unauthorized
from warroom.service.context import Context
from warroom.service.tokens import hash_secret
from warroom.store.intake_models import Integration
from warroom.store.intake_queries import (
    all_integrations,
    integration_by_key_hash,
    integration_named,
)

TYPES = ("alertmanager", "grafana", "pagerduty", "generic")


KEY_LENGTH = 32


KEY_ALPHABET = string.ascii_letters + string.digits


AUTH_CACHE_SECONDS = 5.0
REFUSED = "the integration key is unknown or revoked"


class KnownKeys(dict[str, tuple["IntegrationInfo", float]]):
    """Keys checked lately, by hash: the integration and until when (monotonic) it holds."""

    def forget(self, integration_ids: Collection[int]) -> None:
        for key_hash, (info, _) in list(self.items()):
            if info.id in integration_ids:
                self.pop(key_hash, None)


@dataclass(frozen=True)
class IntegrationInfo:
    id: int
    name: str
    type: str
    created_at: datetime
    revoked_at: datetime | None


def create_integration(ctx: Context, session: Session, kind: str, name: str) -> str:
    """A new integration key, 32 alphanumerics (fits PagerDuty's routing_key), shown once."""
    name = name.strip()
    if not name:
        raise InvalidInput("an integration needs a name", "name")
    if kind not in TYPES:
        raise InvalidInput(f"type is one of {', '.join(TYPES)}", "type")
    if integration_named(session, name) is not None:
        raise Conflict(f"an integration named {name!r} exists; pick another name", "name")
    key = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
    session.add(
        Integration(name=name, type=kind, key_hash=hash_secret(key), created_at=ctx.clock.now())
    )
    return key


def list_integrations(ctx: Context, session: Session) -> list[IntegrationInfo]:
    return [integration_info(row) for row in all_integrations(session)]


def revoke_integration(ctx: Context, session: Session, name: str) -> None:
    """Revoke a key; this process forgets having checked it once the revocation commits."""
    row = integration_named(session, name)
    if row is None:
        raise NotFound(f"no integration named {name!r}", "name")
    if row.revoked_at is None:
        row.revoked_at = ctx.clock.now()
    revoked, known = {row.id}, ctx.runtime.part(KnownKeys)
    event.listen(session, "after_commit", lambda _committed: known.forget(revoked), once=True)


def remembered(ctx: Context, key: str | None, kind: str) -> IntegrationInfo | None:
    """A key checked within AUTH_CACHE_SECONDS, of this kind: no database needed. Anything
    else (unknown, expired, another kind) is None: ask `authenticate`."""
    found = _cached(ctx, key) if key else None
    return found if found is not None and found.type == kind else None


def authenticate(ctx: Context, key: str | None, kind: str) -> IntegrationInfo:
    """The integration behind a key. Valid keys are remembered for AUTH_CACHE_SECONDS so a
    busy sender costs no extra transaction per payload; a revocation made meanwhile, in this
    process or another, is caught by the inbox's commit, which refuses the payload."""
    if not key:
        raise Unauthorized(f"send the {kind} integration key", "authorization")
    found = _cached(ctx, key) or _looked_up(ctx, key)
    if found.type != kind:
        raise Unauthorized(
            f"this key belongs to a {found.type} integration, not {kind}", "authorization"
        )
    return found


def _cached(ctx: Context, key: str) -> IntegrationInfo | None:
    cached = ctx.runtime.part(KnownKeys).get(hash_secret(key))
    return cached[0] if cached is not None and cached[1] > time.monotonic() else None


def _looked_up(ctx: Context, key: str) -> IntegrationInfo:
    """From the database, then remembered for AUTH_CACHE_SECONDS."""
    key_hash = hash_secret(key)
    with ctx.db.unit_of_work() as session:
        row = integration_by_key_hash(session, key_hash)
        if row is None or row.revoked_at is not None:
            raise Unauthorized(REFUSED, "authorization")
        found = integration_info(row)
    ctx.runtime.part(KnownKeys)[key_hash] = (found, time.monotonic() + AUTH_CACHE_SECONDS)
    return found


def integration_info(row: Integration) -> IntegrationInfo:
    return IntegrationInfo(row.id, row.name, row.type, row.created_at, row.revoked_at)
