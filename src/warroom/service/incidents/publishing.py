"""Making an incident public: updates for the responders or the public, and publishing
under a title written for customers (until then no public route knows it exists)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from warroom.core import incident as rules
from warroom.core.incident import EventKind
from warroom.errors import Conflict, InvalidInput
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import Act, act_on
from warroom.service.schemas import IncidentOut
from warroom.store.models import Incident
from warroom.store.queries import incident_by_reference


def post_update(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    message: str,
    audience: str,
    actor: str,
    next_steps: str | None = None,
    eta: str | None = None,
    public_title: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    """An update for the responders, or for the public (which then publishes the incident)."""
    message = rules.require_text(message, "message")
    rules.check_texts(next_steps=next_steps, eta=eta)
    if audience not in ("internal", "public"):
        raise InvalidInput("audience is internal or public", "audience")
    act = act_on(ctx, session, reference, actor)
    if _publishes(act.incident, audience):
        if not (public_title or "").strip():
            raise InvalidInput(
                "the first public update publishes the incident: give it a public_title",
                "public_title",
            )
        _publish(act, rules.require_public_title(public_title), at)
    data = {
        "message": message,
        "audience": audience,
        "status": act.incident.status,
        "next_steps": next_steps,
        "eta": eta,
    }
    return act.record(EventKind.UPDATE_POSTED, act.moment(at), data)


def publish(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    public_title: str,
    actor: str,
    message: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    """Make an incident public under a title written for customers, with a first public
    update if given; until then no public route knows it exists."""
    public_title = rules.require_public_title(public_title)
    act = act_on(ctx, session, reference, actor, open_only=False)
    if act.incident.drill:
        raise Conflict("a drill is an exercise and never public", "reference")
    if act.incident.published_at is not None:
        raise Conflict("the incident is already published", "reference")
    moment = _publish(act, public_title, at)
    if message and message.strip():
        data = {"message": message.strip(), "audience": "public", "status": act.incident.status}
        act.record(EventKind.UPDATE_POSTED, moment, data)
    return act.snapshot()


def _publishes(incident: Incident, audience: str) -> bool:
    """A drill's public updates are rehearsals: recorded, never published."""
    return audience == "public" and incident.published_at is None and not incident.drill


def _publish(act: Act, public_title: str, at: datetime | None) -> datetime:
    moment = act.moment(at)
    act.incident.published_at = moment
    act.incident.public_title = public_title
    act.record(EventKind.PUBLISHED, moment, {"public_title": public_title})
    return moment


def post_public_update(
    ctx: Context, session: Session, reference: str, *, message: str, actor: str
) -> IncidentOut:
    """A public update typed in chat: the first one publishes the incident under its
    severity's generic public title (the playbook's `public_titles`), the title a public
    update would otherwise have to carry."""
    incident = incident_by_reference(session, reference)
    title = None
    if incident.published_at is None:
        title = ctx.playbook.communication.status_page.public_titles.get(incident.severity)
    return post_update(
        ctx, session, reference, message=message, audience="public", actor=actor,
        public_title=title,
    )  # fmt: skip
