"""The playbook's checklists on one incident (SPEC §3b): the list in the playbook's order,
and ticking or unticking an item by hand, open or resolved (the post-incident items are
done after resolution). Items warroom does itself tick in `service.checklist_ticks`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from warroom.core import checklists
from warroom.core.playbook import ChecklistItem
from warroom.errors import InvalidInput
from warroom.service.checklist_ticks import mark
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import act_on
from warroom.service.schemas import ChecklistItemOut
from warroom.store.models import Incident
from warroom.store.queries import incident_by_reference


def get_checklist(ctx: Context, session: Session, reference: str) -> list[ChecklistItemOut]:
    return checklist_of(ctx, incident_by_reference(session, reference))


def tick(
    ctx: Context,
    session: Session,
    reference: str,
    item_id: str,
    *,
    done: bool,
    actor: str,
    at: datetime | None = None,
) -> list[ChecklistItemOut]:
    """Tick (`done`) or untick one item; ticking a ticked item again changes nothing."""
    act = act_on(ctx, session, reference, actor, open_only=False)
    phase, item = known_item(ctx, item_id)
    mark(session, act.incident, phase, item, done=done, actor=actor, at=act.moment(at), now=act.now)
    return checklist_of(ctx, act.incident)


def known_item(ctx: Context, item_id: str) -> tuple[str, ChecklistItem]:
    found = checklists.find_item(ctx.playbook, item_id)
    if found is None:
        known = ", ".join(item.id for _, item in checklists.all_items(ctx.playbook)) or "none"
        raise InvalidInput(f"unknown checklist item {item_id!r} (known: {known})", "id")
    return found


def checklist_of(ctx: Context, incident: Incident) -> list[ChecklistItemOut]:
    return [
        ChecklistItemOut.model_validate(item, from_attributes=True)
        for item in checklists.view(ctx.playbook, incident.checklist)
    ]
