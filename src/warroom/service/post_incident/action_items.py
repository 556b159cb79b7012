"""Action items: the follow-ups of a post-mortem, each with an owner, a due time and a state.

Every change is an `action_item_*` event on the incident's timeline; a timer per due time
reminds the owner when an open item passes it (a new due time schedules a new timer).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.core.durations import parse_duration
from warroom.core.incident import TITLE_MAX, check_texts, in_calendar
from warroom.errors import InvalidInput, NotFound
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.post_incident import reminders as texts
from warroom.service.post_incident.reminders import note, remind
from warroom.store import post_queries
from warroom.store.models import Incident, Timer
from warroom.store.post_models import ActionItem
from warroom.store.queries import incident_by_reference

ITEM_STATUSES = ("open", "done")
OVERDUE_TIMER = "action_item_overdue"  # the timer kind (the scheduler's handler table)


class ActionItemOut(BaseModel):
    id: int
    reference: str
    title: str
    owner: str
    due: datetime
    status: str
    overdue: bool
    created_at: datetime
    done_at: datetime | None

    @classmethod
    def of(cls, item: ActionItem, reference: str, now: datetime) -> ActionItemOut:
        return cls(
            id=item.id,
            reference=reference,
            title=item.title,
            owner=item.owner,
            due=item.due_at,
            status=item.status,
            overdue=item.status == "open" and item.due_at < now,
            created_at=item.created_at,
            done_at=item.done_at,
        )


def parse_due(value: str | datetime, now: datetime) -> datetime:
    """ISO 8601 time, a date (end of that UTC day) or a duration from now (`14d`)."""
    if isinstance(value, datetime):
        return in_calendar(value, "due")
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), tzinfo=UTC)
        return in_calendar(datetime.fromisoformat(text.replace("Z", "+00:00")), "due")
    except ValueError:
        pass
    try:
        return now + parse_duration(text)
    except (ValueError, TypeError, OverflowError):
        raise InvalidInput(
            f"due {text!r} does not parse; give an ISO date or time, or a duration like 14d",
            "due",
        ) from None


def _check_owner(ctx: Context, owner: str) -> str:
    if owner not in ctx.playbook.people:
        raise InvalidInput(f"owner {owner!r} is not a person in the playbook", "owner")
    return owner


def _schedule_reminder(session: Session, item: ActionItem, now: datetime) -> None:
    jobs.schedule(
        session,
        key=f"action-item-overdue:{item.id}:{item.revision}",
        kind=OVERDUE_TIMER,
        due_at=item.due_at,
        now=now,
        incident_id=item.incident_id,
        payload={"action_item_id": item.id, "revision": item.revision},
    )


def _event(
    session: Session, incident: Incident, kind: str, actor: str, now: datetime, data: dict[str, Any]
) -> None:
    note(session, incident, kind, now, actor, data, now=now)


def create_item(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    title: str,
    owner: str,
    due: str | datetime,
    actor: str,
) -> ActionItemOut:
    if not title.strip():
        raise InvalidInput("title must not be empty", "title")
    check_texts(TITLE_MAX, title=title.strip())
    _check_owner(ctx, owner)
    now = ctx.clock.now()
    due_at = parse_due(due, now)
    incident = incident_by_reference(session, reference, lock=True)
    item = ActionItem(
        incident_id=incident.id,
        title=title.strip(),
        owner=owner,
        due_at=due_at,
        status="open",
        created_at=now,
        revision=0,
    )
    session.add(item)
    session.flush()
    _event(
        session,
        incident,
        "action_item_created",
        actor,
        now,
        {"id": item.id, "title": item.title, "owner": owner, "due": due_at.isoformat()},
    )
    _schedule_reminder(session, item, now)
    return ActionItemOut.of(item, incident.reference, now)


def update_item(
    ctx: Context,
    session: Session,
    item_id: int,
    *,
    actor: str,
    status: str | None = None,
    owner: str | None = None,
    due: str | datetime | None = None,
) -> ActionItemOut:
    if status is not None and status not in ITEM_STATUSES:
        raise InvalidInput("status is open or done", "status")
    if owner is not None:
        _check_owner(ctx, owner)
    now = ctx.clock.now()
    due_at = parse_due(due, now) if due is not None else None
    item = session.get(ActionItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"no action item {item_id}", "id")
    incident = session.get(Incident, item.incident_id)
    assert incident is not None
    changes = _apply(item, status, owner, due_at, now)
    if changes:
        item.revision += 1
        kind = "action_item_done" if changes.get("status") == "done" else "action_item_updated"
        _event(session, incident, kind, actor, now, {"id": item.id, **changes})
        if item.status == "open":
            _schedule_reminder(session, item, now)
    return ActionItemOut.of(item, incident.reference, now)


def _apply(
    item: ActionItem, status: str | None, owner: str | None, due_at: datetime | None, now: datetime
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if status is not None and status != item.status:
        item.status = changes["status"] = status
        item.done_at = now if status == "done" else None
    if owner is not None and owner != item.owner:
        item.owner = changes["owner"] = owner
    if due_at is not None and due_at != item.due_at:
        item.due_at = due_at
        changes["due"] = due_at.isoformat()
    return changes


def list_items(
    ctx: Context,
    session: Session,
    *,
    overdue: bool = False,
    reference: str | None = None,
    status: str | None = None,
) -> list[ActionItemOut]:
    now = ctx.clock.now()
    if status is not None and status not in ITEM_STATUSES:
        raise InvalidInput("status is open or done", "status")
    incident_id = incident_by_reference(session, reference).id if reference else None
    rows = post_queries.action_items_with_references(
        session, open_before=now if overdue else None, status=status, incident_id=incident_id
    )
    return [ActionItemOut.of(item, ref, now) for item, ref in rows]


def on_action_item_overdue(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    """Timer handler: remind the owner of an item still open past its (current) due time."""
    item = session.get(ActionItem, int(timer.payload["action_item_id"]))
    if item is None or item.status != "open" or item.revision != timer.payload.get("revision"):
        return
    incident = session.get(Incident, item.incident_id)
    assert incident is not None
    remind(
        session,
        ctx,
        person=item.owner,
        key=f"reminder:{timer.key}",
        subject=texts.ITEM_OVERDUE_SUBJECT(id=item.id, reference=incident.reference),
        body=texts.ITEM_OVERDUE_BODY(title=item.title, due_at=item.due_at),
        incident_id=incident.id,
        now=now,
    )
    _event(
        session,
        incident,
        "action_item_overdue",
        "warroom",
        now,
        {"id": item.id, "owner": item.owner},
    )
