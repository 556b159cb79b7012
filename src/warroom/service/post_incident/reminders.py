"""Reminders to one person (through their first contact) and post-incident timeline notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core.templates import builtin
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.timeline import append_event
from warroom.store.models import TimelineEvent

# The reminders' words, as sandboxed templates (DESIGN rule 12).
POSTMORTEM_OVERDUE_SUBJECT = builtin(
    "reminder.postmortem_overdue.subject", "Post-mortem for {{ reference }} is overdue"
)
POSTMORTEM_OVERDUE_BODY = builtin(
    "reminder.postmortem_overdue.body",
    "The post-mortem for {{ reference }} ({{ title }}) was due "
    "{{ due_at.strftime('%Y-%m-%d %H:%M') }} UTC and is still {{ status }}.",
)
FOLLOW_UP_SUBJECT = builtin("reminder.follow_up.subject", "Follow-up review for {{ reference }}")
FOLLOW_UP_BODY = builtin(
    "reminder.follow_up.body",
    "Action items:\n"
    "{% for s in items %}- #{{ s.id }} {{ s.title }} ({{ s.owner }}): {{ s.status }}"
    "{% if s.overdue %} overdue{% endif %}{% if not loop.last %}\n{% endif %}"
    "{% else %}(none){% endfor %}",
)
ITEM_OVERDUE_SUBJECT = builtin(
    "reminder.action_item_overdue.subject",
    "Action item #{{ id }} for {{ reference }} is overdue",
)
ITEM_OVERDUE_BODY = builtin(
    "reminder.action_item_overdue.body",
    "{{ title }} was due {{ due_at.strftime('%Y-%m-%d %H:%M') }} UTC.",
)


def remind(
    session: Session,
    ctx: Context,
    *,
    person: str,
    key: str,
    subject: str,
    body: str,
    incident_id: int | None,
    now: datetime,
) -> bool:
    """Queue a reminder through the person's first contact (nothing if they have none)."""
    contact = ctx.playbook.people.get(person)
    if contact is None or not contact.contacts:
        return False
    first = contact.contacts[0]
    return jobs.enqueue(
        session,
        key=key,
        kind="reminder",
        method=first.method,
        address=first.address,
        subject=subject,
        body=body,
        now=now,
        incident_id=incident_id,
        person=person,
    )


def note(
    session: Session,
    incident: Any,
    kind: str,
    at: datetime,
    actor: str,
    data: dict[str, Any],
    *,
    now: datetime,
) -> TimelineEvent:
    """Append a post-incident event to the timeline (no reactions: nothing reacts to these).

    Imported late: `service.incidents` imports the reactions, which import this area.
    """

    return append_event(
        session, incident, kind, max(at, incident.last_event_at), actor, data, recorded_at=now
    )
