"""Dead letters: payloads answered 2xx that could not be applied, kept whole and never
pruned, listed and retried (moved back to the inbox and applied) by an operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from warroom.errors import NotFound
from warroom.intake import inbox as intake_queue
from warroom.service.context import Context
from warroom.store.intake_models import DeadLetter, InboxPayload


@dataclass(frozen=True)
class Retried:
    """What a retry did: applied, still waiting in the inbox, or failed again (`again`)."""

    letter_id: int
    applied: bool
    again: dict[str, Any] | None = None


def list_dead_letters(ctx: Context, limit: int = 100) -> list[dict[str, Any]]:
    """Oldest first: the longest-waiting payload is the one to look at first."""
    with ctx.db.reader() as session:
        rows = session.execute(select(DeadLetter).order_by(DeadLetter.id).limit(limit)).scalars()
        return [_shown(row) for row in rows]


def retry(ctx: Context, letter_id: int) -> Retried:
    """Move a dead letter back to the inbox, in one transaction, and apply the inbox. One
    that fails again becomes a new dead letter (`again`)."""
    with ctx.db.unit_of_work() as session:
        letter = session.get(DeadLetter, letter_id)
        if letter is None:
            raise NotFound(f"no dead letter {letter_id} (see `warroom intake dead-letters`)", "id")
        inbox_id = session.execute(
            insert(InboxPayload)
            .values(
                integration_id=letter.integration_id,
                kind=letter.kind,
                received_at=letter.received_at,
                new_key=letter.new_key,
                body=letter.body,
            )
            .returning(InboxPayload.id)
        ).scalar_one()
        session.delete(letter)
    intake_queue.apply_all(ctx)
    with ctx.db.reader() as session:
        again = session.execute(
            select(DeadLetter).where(DeadLetter.inbox_id == inbox_id)
        ).scalar_one_or_none()
        waiting = session.get(InboxPayload, inbox_id) is not None
        return Retried(
            letter_id, applied=again is None and not waiting, again=_shown(again) if again else None
        )


def _shown(row: DeadLetter) -> dict[str, Any]:
    return {
        "id": row.id,
        "received_at": _iso(row.received_at),
        "failed_at": _iso(row.failed_at),
        "kind": row.kind,
        "integration_id": row.integration_id,
        "reason": row.reason,
        "field": row.field,
        "body": row.body.decode("utf-8", "replace"),
    }


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))
