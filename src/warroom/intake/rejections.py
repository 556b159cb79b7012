"""Payloads intake refused with a 4xx from a sender holding a valid key, kept for
inspection: the newest REJECTED_KEPT of them. (Payloads accepted but not applied are dead
letters, kept until retried: `intake.dead_letters`.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from warroom.service.context import Context
from warroom.store.intake_models import RejectedPayload
from warroom.store.intake_queries import newest_rejected, prune_rejected

REJECTED_KEPT = 1000


KEPT_BODY = 64 * 1024  # bytes of a rejected payload kept for inspection


def reject(
    ctx: Context,
    session: Session,
    *,
    endpoint: str,
    status_code: int,
    reason: str,
    field: str | None,
    headers: dict[str, str],
    body: str,
) -> None:
    """Keep a rejected payload; only the newest REJECTED_KEPT are kept, oldest dropped first."""
    keep_rejected(
        session,
        RejectedPayload(
            received_at=ctx.clock.now(),
            endpoint=endpoint,
            status_code=status_code,
            reason=reason,
            field=field,
            headers=headers,
            body=body,
        ),
    )


def keep_rejected(session: Session, rejected: RejectedPayload) -> None:
    session.add(rejected)
    session.flush()
    prune_rejected(session, REJECTED_KEPT)


def list_rejected(ctx: Context, session: Session, limit: int = 100) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "received_at": r.received_at.isoformat().replace("+00:00", "Z"),
            "endpoint": r.endpoint,
            "status_code": r.status_code,
            "reason": r.reason,
            "field": r.field,
            "headers": r.headers,
            "body": r.body,
        }
        for r in newest_rejected(session, limit)
    ]
