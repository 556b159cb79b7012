"""What follows a change: every area that acts on timeline events reacts here, in the
same transaction as the change (paging schedules timers, announcements queue messages,
post-incident work opens its records, the checklist ticks what warroom did).

A reaction looks at `event.kind`, ignores what is not its business, and must be
idempotent (it writes keyed timers and outbox rows, never a second copy).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.service.chat import room as chat_room
from warroom.service.checklist_ticks import tick_what_warroom_did
from warroom.service.context import Context
from warroom.service.paging import engine as paging
from warroom.service.post_incident.postmortem import open_postmortem
from warroom.service.status_page import announcements as statuspage
from warroom.store.models import Incident, TimelineEvent

Reaction = Callable[[Session, Context, Incident, TimelineEvent, datetime], None]


REACTIONS: tuple[Reaction, ...] = (
    tick_what_warroom_did,
    statuspage.announce,
    open_postmortem,
    paging.react,
    chat_room.react,  # after paging: the chat outbox follows the change it reports
)


def after_change(
    session: Session, ctx: Context, incident: Incident, event: TimelineEvent, now: datetime
) -> None:
    for react in REACTIONS:
        react(session, ctx, incident, event, now)
