"""Post-mortems: opened when an incident resolves, drafted from its data, edited, published.

The post-mortem is owned by the incident commander and due `post_incident.postmortem_due`
after resolution; a timer reminds the owner when it is overdue. Publishing renders HTML and
opens the follow-up review timer (`post_incident.follow_up_review`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import markdown as md
from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.core.incident import EventKind, check_texts
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.service import jobs
from warroom.service.checklist_ticks import tick_what_warroom_did
from warroom.service.context import Context
from warroom.service.post_incident import reminders as texts
from warroom.service.post_incident.draft import Material, render_markdown
from warroom.service.post_incident.reminders import note, remind
from warroom.store import post_queries
from warroom.store.models import Incident, Timer
from warroom.store.post_models import ActionItem, Postmortem
from warroom.store.queries import incident_by_reference, timeline

OVERDUE_TIMER = "postmortem_overdue"  # timer kinds (the scheduler's handler table)
FOLLOW_UP_TIMER = "follow_up_review"

STATUSES = ("draft", "in_review", "published")


class PostmortemOut(BaseModel):
    reference: str
    owner: str
    status: str
    due_at: datetime
    overdue: bool
    published_at: datetime | None
    edited_sections: list[str]
    markdown: str


def open_postmortem(
    session: Session, ctx: Context, incident: Incident, event: Any, now: datetime
) -> None:
    """Reaction: resolving a real incident (not a drill) opens its post-mortem, once."""
    if event.kind != EventKind.RESOLVED or incident.drill:
        return
    if post_queries.postmortem_of(session, incident.id) is not None:
        return
    owner_role = ctx.playbook.post_incident.postmortem_owner_role
    owner = (incident.roles.get(owner_role) if owner_role else None) or next(
        iter(incident.roles.values()), "unassigned"
    )
    due_at = event.at + ctx.playbook.post_incident.postmortem_due
    session.add(
        Postmortem(
            incident_id=incident.id,
            owner=owner,
            status="draft",
            due_at=due_at,
            sections={},
            created_at=now,
        )
    )
    created = note(
        session,
        incident,
        "postmortem_created",
        event.at,
        "warroom",
        {"owner": owner, "due_at": due_at.isoformat()},
        now=now,
    )
    tick_what_warroom_did(session, ctx, incident, created, now)
    if due_at > now:  # an imported past incident's long-gone deadline reminds no one
        jobs.schedule(
            session,
            key=f"postmortem-overdue:{incident.id}",
            kind=OVERDUE_TIMER,
            due_at=due_at,
            now=now,
            incident_id=incident.id,
        )


def _load(session: Session, reference: str, *, lock: bool) -> tuple[Incident, Postmortem]:
    """The incident (locked for a change) and its post-mortem."""
    incident = incident_by_reference(session, reference, lock=lock)
    postmortem = post_queries.postmortem_of(session, incident.id)
    if postmortem is None:
        raise NotFound(f"{reference} has no post-mortem yet (it opens on resolution)", "reference")
    return incident, postmortem


def _material(
    session: Session, ctx: Context, incident: Incident, pm: Postmortem, now: datetime
) -> Material:
    items = post_queries.action_items_of(session, incident.id)
    follow_up = (
        pm.published_at + ctx.playbook.post_incident.follow_up_review if pm.published_at else None
    )
    return Material(
        ctx.playbook, incident, timeline(session, incident.id), list(items), now, follow_up
    )


def _out(session: Session, ctx: Context, incident: Incident, pm: Postmortem) -> PostmortemOut:
    now = ctx.clock.now()
    text = render_markdown(_material(session, ctx, incident, pm, now), pm.sections)
    return PostmortemOut(
        reference=incident.reference,
        owner=pm.owner,
        status=pm.status,
        due_at=pm.due_at,
        overdue=pm.status != "published" and now > pm.due_at,
        published_at=pm.published_at,
        edited_sections=sorted(pm.sections),
        markdown=text,
    )


def get_postmortem(ctx: Context, session: Session, reference: str) -> PostmortemOut:
    incident, pm = _load(session, reference, lock=False)
    return _out(session, ctx, incident, pm)


def get_html(ctx: Context, session: Session, reference: str) -> str:
    """The published HTML (as rendered at publication); a draft renders live."""
    incident, pm = _load(session, reference, lock=False)
    if pm.html:
        return pm.html
    return to_html(_out(session, ctx, incident, pm).markdown, incident.reference)


def to_html(text: str, title: str) -> str:
    body = md.markdown(text, extensions=["tables"])
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Post-mortem {title}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}</style>"
        f"</head><body>{body}</body></html>"
    )


def edit_section(
    ctx: Context, session: Session, reference: str, *, section: str, text: str, actor: str
) -> PostmortemOut:
    names = ctx.playbook.post_incident.sections
    match = next((n for n in names if n.lower() == section.strip().lower()), None)
    if match is None:
        raise InvalidInput(f"unknown section {section!r} (sections: {', '.join(names)})", "section")
    if not text.strip():
        raise InvalidInput("text must not be empty", "text")
    check_texts(text=text.strip())
    incident, pm = _load(session, reference, lock=True)
    if pm.status == "published":
        raise Conflict("the post-mortem is published; move it back to in_review first", "status")
    now = ctx.clock.now()
    pm.sections = {**pm.sections, match: text.strip()}
    note(
        session,
        incident,
        "postmortem_section_edited",
        max(now, incident.last_event_at),
        actor,
        {"section": match},
        now=now,
    )
    return _out(session, ctx, incident, pm)


def change_status(
    ctx: Context, session: Session, reference: str, *, status: str, actor: str
) -> PostmortemOut:
    if status not in STATUSES:
        raise InvalidInput(f"status is one of {', '.join(STATUSES)}", "status")
    incident, pm = _load(session, reference, lock=True)
    if status == pm.status:
        raise Conflict(f"the post-mortem is already {status}", "status")
    now = ctx.clock.now()
    at = max(now, incident.last_event_at)
    previous, pm.status = pm.status, status
    note(
        session,
        incident,
        "postmortem_status_changed",
        at,
        actor,
        {"from": previous, "to": status},
        now=now,
    )
    if status == "published":
        _publish(session, ctx, incident, pm, at, actor, now)
    else:
        pm.published_at, pm.html = None, None
    return _out(session, ctx, incident, pm)


def _publish(
    session: Session,
    ctx: Context,
    incident: Incident,
    pm: Postmortem,
    at: datetime,
    actor: str,
    now: datetime,
) -> None:
    pm.published_at = now
    pm.html = to_html(_out(session, ctx, incident, pm).markdown, incident.reference)
    review_at = now + ctx.playbook.post_incident.follow_up_review
    note(
        session,
        incident,
        "postmortem_published",
        at,
        actor,
        {"follow_up_review_at": review_at.isoformat()},
        now=now,
    )
    jobs.cancel_pending(session, incident_id=incident.id, kinds=[OVERDUE_TIMER])
    jobs.schedule(
        session,
        key=f"follow-up-review:{incident.id}",
        kind=FOLLOW_UP_TIMER,
        due_at=review_at,
        now=now,
        incident_id=incident.id,
    )


def follow_up_review(ctx: Context, session: Session, reference: str) -> dict[str, Any]:
    """The follow-up review: when it is (or was) due and the state of every action item."""
    incident, pm = _load(session, reference, lock=False)
    now = ctx.clock.now()
    due = pm.published_at + ctx.playbook.post_incident.follow_up_review if pm.published_at else None
    items = post_queries.action_items_of(session, incident.id)
    return {
        "reference": reference,
        "due_at": due,
        "open": due is not None and now >= due,
        "items": [_item_state(item, now) for item in items],
    }


def _item_state(item: ActionItem, now: datetime) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "owner": item.owner,
        "due": item.due_at,
        "status": item.status,
        "overdue": item.status == "open" and item.due_at < now,
    }


def on_postmortem_overdue(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    pm = post_queries.postmortem_of(session, timer.incident_id)
    if pm is None or pm.status == "published":
        return
    incident = session.get(Incident, pm.incident_id)
    assert incident is not None
    remind(
        session,
        ctx,
        person=pm.owner,
        key=f"reminder:{timer.key}",
        subject=texts.POSTMORTEM_OVERDUE_SUBJECT(reference=incident.reference),
        body=texts.POSTMORTEM_OVERDUE_BODY(
            reference=incident.reference, title=incident.title, due_at=pm.due_at, status=pm.status
        ),
        incident_id=incident.id,
        now=now,
    )
    note(
        session,
        incident,
        "postmortem_overdue",
        max(now, incident.last_event_at),
        "warroom",
        {"owner": pm.owner},
        now=now,
    )


def on_follow_up_review(session: Session, ctx: Context, timer: Timer, now: datetime) -> None:
    incident = session.get(Incident, timer.incident_id)
    pm = post_queries.postmortem_of(session, timer.incident_id)
    if incident is None or pm is None:
        return
    items = post_queries.action_items_of(session, incident.id)
    states = [_item_state(item, now) for item in items]
    remind(
        session,
        ctx,
        person=pm.owner,
        key=f"reminder:{timer.key}",
        subject=texts.FOLLOW_UP_SUBJECT(reference=incident.reference),
        body=texts.FOLLOW_UP_BODY(items=states),
        incident_id=incident.id,
        now=now,
    )
    note(
        session,
        incident,
        "postmortem_follow_up_review",
        now,
        "warroom",
        {
            "items": [
                {"id": s["id"], "status": s["status"], "overdue": s["overdue"]} for s in states
            ]
        },
        now=now,
    )
