"""Dead letters: payloads answered 2xx that could not be applied, kept whole and never
pruned, listed and retried (moved back to the inbox and applied) by an operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from warroom.errors import NotFound
from warroom.intake import inbox as intake_queue
from warroom.service.context import Context
from warroom.store.intake_models import DeadLetter, InboxPayload
from warroom.store.intake_queries import (
    dead_letter_of_inbox_row,
    move_to_inbox,
    oldest_dead_letters,
)


@dataclass(frozen=True)
class Retried:
    """What a retry did: applied, still waiting in the inbox, or failed again (`again`)."""

    letter_id: int
    applied: bool
    again: dict[str, Any] | None = None


def list_dead_letters(ctx: Context, session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """Oldest first: the longest-waiting payload is the one to look at first."""
    return [_shown(row) for row in oldest_dead_letters(session, limit)]


def retry(ctx: Context, letter_id: int) -> Retried:
    """Move a dead letter back to the inbox and apply the inbox; one that fails again
    becomes a new dead letter (`again`). A boundary, like the inbox's `apply_all` it runs
    between the transaction that requeues the letter and the read of what became of it."""
    inbox_id = ctx.transact(requeue, letter_id)
    intake_queue.apply_all(ctx)
    return ctx.read(outcome, letter_id, inbox_id)


def requeue(ctx: Context, session: Session, letter_id: int) -> int:
    """Move a dead letter back to the inbox, as it was received; its inbox row's id."""
    letter = session.get(DeadLetter, letter_id)
    if letter is None:
        raise NotFound(f"no dead letter {letter_id} (see `warroom intake dead-letters`)", "id")
    return move_to_inbox(session, letter)


def outcome(ctx: Context, session: Session, letter_id: int, inbox_id: int) -> Retried:
    """What became of a requeued letter once the inbox was applied."""
    again = dead_letter_of_inbox_row(session, inbox_id)
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
