"""Ticking an incident's checklist: the one way an item changes, on the timeline, and the
reaction that ticks what warroom did itself. A leaf: the paging engine, the post-incident
work and the incidents' use cases all offer it their events, so it imports none of them."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from warroom.core.chat import slack_access
from warroom.core.checklists import all_items, find_item, ticked_by
from warroom.core.incident import EventKind
from warroom.core.playbook import ChecklistItem
from warroom.logs import fields
from warroom.service.context import Context
from warroom.service.timeline import append_event
from warroom.store.models import Incident, TimelineEvent
from warroom.store.session import log_after_commit

log = logging.getLogger("warroom.checklist")

CHECKLIST_TICKED = "checklist_ticked"
WARROOM = "warroom"
CHANNEL_CREATED = "chat_channel_created"


def mark(
    session: Session,
    incident: Incident,
    phase: str,
    item: ChecklistItem,
    *,
    done: bool,
    actor: str,
    at: datetime,
    now: datetime,
    automatic: bool = False,
) -> bool:
    """Tick (or untick) one item, with its `checklist_ticked` event; an item already in that
    state changes nothing and records nothing. Returns whether it changed."""
    if bool(incident.checklist.get(item.id, {}).get("done")) == done:
        return False
    state = {
        "done": done,
        "done_by": actor if done else None,
        "done_at": at.isoformat() if done else None,
        "automatic": automatic and done,
    }
    incident.checklist = {**incident.checklist, item.id: state}
    data = {"id": item.id, "phase": phase, "text": item.text, "done": done, "automatic": automatic}
    append_event(session, incident, CHECKLIST_TICKED, at, actor, data, recorded_at=now)
    line = fields(
        event=CHECKLIST_TICKED, reference=incident.reference, item=item.id, done=done, actor=actor
    )
    log_after_commit(session, log, line)
    return True


def tick_what_warroom_did(
    session: Session, ctx: Context, incident: Incident, event: TimelineEvent, now: datetime
) -> None:
    """Reaction: the items whose `ticks_on` names this event tick themselves, at the event's
    time. An item a responder has unticked is theirs: warroom leaves it as they left it.
    With chat off the channel is only named, at declaration: that is when it is there."""
    kinds = [event.kind]
    if (
        event.kind == EventKind.DECLARED
        and slack_access(ctx.playbook, ctx.settings.environment) is None
    ):
        kinds.append(CHANNEL_CREATED)
    ticked = {
        i for kind in kinds for i in ticked_by(ctx.playbook, kind, event.data, incident.checklist)
    }
    for item_id in [item.id for _, item in all_items(ctx.playbook) if item.id in ticked]:
        found = find_item(ctx.playbook, item_id)
        if found is None or item_id in incident.checklist:
            continue
        phase, item = found
        mark(
            session, incident, phase, item,
            done=True, actor=WARROOM, at=event.at, now=now, automatic=True,
        )  # fmt: skip
