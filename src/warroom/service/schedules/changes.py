"""Changing who covers a schedule: an override made or deleted, and the handoff notices
planned again in the same transaction (an override can bring a handoff forward)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from warroom.service.context import Context
from warroom.service.schedules.handoffs import schedule_handoffs
from warroom.service.schedules.overrides import OverrideOut, add_override, delete_override


def cover(
    ctx: Context,
    session: Session,
    schedule_id: str,
    person: str,
    start: datetime,
    end: datetime,
    *,
    actor: str,
) -> OverrideOut:
    """`person` covers the schedule from `start` until `end`."""
    made = add_override(ctx, session, schedule_id, person, start, end, actor=actor)
    schedule_handoffs(ctx, session, [schedule_id])
    return made


def uncover(
    ctx: Context, session: Session, schedule_id: str, override_id: int, *, actor: str
) -> OverrideOut:
    """The override no longer applies (its row stays, with who deleted it and when)."""
    gone = delete_override(ctx, session, schedule_id, override_id, actor=actor)
    schedule_handoffs(ctx, session, [schedule_id])
    return gone
