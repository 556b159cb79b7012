"""Durable scheduled work and outgoing messages: the seams every time-driven feature uses.

`schedule` puts a step in the `timers` table; `enqueue` puts a message in the `outbox`.
Both take the caller's session, so they commit with the change that causes them, and both
are idempotent on their key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.store import job_queries, write_behind
from warroom.store.models import SUBJECT_MAX, OutboxMessage, Timer


def schedule(
    session: Session,
    *,
    key: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    incident_id: int | None = None,
    payload: dict[str, Any] | None = None,
    revive_cancelled: bool = False,
    may_hold: bool = False,
) -> bool:
    """Schedule `kind` at `due_at` under a unique `key`; False if that key already exists
    (`revive_cancelled`: unless it was cancelled, when it is pending again). `may_hold`:
    the caller does not read the answer, so a transaction that holds rows
    (`write_behind.hold_rows`) may write it with the rest of them, and says True."""
    return write_behind.insert(
        session,
        Timer,
        {
            "key": key,
            "kind": kind,
            "due_at": due_at,
            "incident_id": incident_id,
            "payload": payload or {},
            "state": "pending",
            "severity": job_queries.severity_for(session, incident_id),
            "created_at": now,
        },
        revive_cancelled=revive_cancelled,
        held=may_hold,
    )


def cancel_pending(
    session: Session, *, incident_id: int, kinds: Iterable[str] | None = None
) -> int:
    """Cancel an incident's pending timers (all, or of the given kinds)."""
    return job_queries.cancel_pending_timers(session, incident_id, kinds)


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    method: str,
    address: str,
    subject: str,
    body: str,
    now: datetime,
    incident_id: int | None = None,
    person: str | None = None,
    outbox_only: bool = False,
    may_hold: bool = False,
) -> bool:
    """Queue a message for delivery under a unique `key`; False if it was already queued.
    An `outbox_only` message is kept in the built-in outbox whatever the channels.
    `may_hold` as for `schedule`."""
    return write_behind.insert(
        session,
        OutboxMessage,
        {
            "key": key,
            "kind": kind,
            "method": method,
            "address": address,
            "subject": _fitted(subject),
            "body": body,
            "incident_id": incident_id,
            "person": person,
            "outbox_only": outbox_only,
            "state": "pending",
            "severity": job_queries.severity_for(session, incident_id),
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        },
        held=may_hold,
    )


def _fitted(subject: str) -> str:
    """A subject within its column: a 500-character title plus its prefix would not fit."""
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"
