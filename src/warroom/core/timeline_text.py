"""The timeline as people read it: each event kind is a sentence, a built-in template in
the sandbox, naming people, roles and levels as the playbook calls them. The structured
data stays as it was; this is only how it reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from warroom.core.playbook import Playbook
from warroom.core.templates import BuiltIn, TemplateFailed, builtin

SENTENCES: dict[str, BuiltIn] = {
    name: builtin(f"timeline.{name}", source)
    for name, source in {
        "declared": (
            "Declared Sev{{ e.severity }} ({{ severity_name(e.severity) }}): {{ e.title }}"
            "{% if e.services %}; services {{ e.services | join(', ') }}{% endif %}"
            "{% if e.source and e.source != 'manual' %}; from {{ e.source }}{% endif %}"
            "{% if e.drill %} (a drill){% endif %}"
            "{% if e.retrospective %} (recorded after the fact){% endif %}"
        ),
        "severity_changed": (
            "Severity {{ 'raised' if e['to'] < e['from'] else 'lowered' }} from"
            " Sev{{ e['from'] }} to Sev{{ e['to'] }}: {{ e.reason }}"
        ),
        "role_assigned": (
            "{{ person(e.person) }} is now {{ role(e.role) }}"
            "{% if e.previous and e.previous != e.person %}"
            " (was {{ person(e.previous) }}){% endif %}"
        ),
        "sme_engaged": "Engaged {{ person(e.person) }} as the {{ e.sme }} expert",
        "acknowledged": (
            "Acknowledged by {{ person(e.person or actor) }}"
            "{% if e.via %} (by {{ e.via }}){% endif %}"
        ),
        "status_changed": (
            "Status {{ e['from'] }} → {{ e['to'] }}{% if e.note %}: {{ e.note }}{% endif %}"
        ),
        "update_posted": (
            "{{ 'Public' if e.audience == 'public' else 'Internal' }} update: {{ e.message }}"
            "{% if e.next_steps %}; next steps: {{ e.next_steps }}{% endif %}"
            "{% if e.eta %}; ETA: {{ e.eta }}{% endif %}"
        ),
        "resolution_attempt": (
            "Tried: {{ e.action }}"
            "{% if e.hypothesis %} (hypothesis: {{ e.hypothesis }}){% endif %} — {{ e.outcome }}"
            "{% if e.outcome == 'failed' %} ({{ e.failed_attempts }} failed so far){% endif %}"
        ),
        "impact_assessed": (
            "Impact assessed:"
            "{% if e.affected_users_pct is not none %} {{ e.affected_users_pct }}% of users"
            "{% endif %}"
            "{% if e.services %}; services {{ e.services | join(', ') }}{% endif %}"
            "{% if e.business_impact %}; {{ e.business_impact }}{% endif %}"
        ),
        "page_sent": (
            "{{ message_verb(e.kind) }} {{ person(e.person) }}"
            " by {{ e.method }} ({{ e.address }})"
            "{% if e.attempt and e.attempt > 1 %}, attempt {{ e.attempt }}{% endif %}"
            "{% if e.delivery == 'recorded' %}: recorded, no channel configured"
            "{% else %}: sent{% endif %}"
        ),
        "page_failed": (
            "Could not reach {{ person(e.person) }} by {{ e.method }} ({{ e.address }}):"
            " {{ e.error }}{% if e.final %}; gave up on this contact{% else %}; will retry"
            "{% endif %}"
        ),
        "page_acknowledged": (
            "{{ person(e.person or actor) }} answered the page"
            "{% if e.via %} (by {{ e.via }}){% endif %}"
        ),
        "escalated": "Escalated to {{ level(e.level) }}: {{ e.trigger }}",
        "sla_breached": "{{ e.sla | capitalize }} SLA breached: {{ e.reason }}",
        "alert_attached": (
            "{{ e.count }} alert{{ 's' if e.count != 1 else '' }} attached"
            " ({{ e.firing }} firing, {{ e.resolved }} resolved)"
            "{% if e.alerts %}: {{ e.alerts | map(attribute='title') | join('; ') }}{% endif %}"
            "{% if e.storm_groups %}; its group joined the alert storm"
            " ({{ e.storm_groups }} groups){% endif %}"
        ),
        "alerts_moved": (
            "{% if e.direction == 'out' %}Split alert group {{ e.group_key }}"
            " ({{ e.alerts }} alert{{ 's' if e.alerts != 1 else '' }}) out of the storm"
            " into {{ e['to'] }}{% else %}Alert group {{ e.group_key }}"
            " ({{ e.alerts }} alert{{ 's' if e.alerts != 1 else '' }}) moved here"
            " from the alert storm {{ e['from'] }}{% endif %}"
        ),
        "resolved": (
            "Resolved: {{ e.resolution }}"
            "{% if e.root_cause %}; root cause: {{ e.root_cause }}{% endif %}"
            "{% if e.prevention %}; prevention: {{ e.prevention }}{% endif %}"
        ),
        "reopened": "Reopened: {{ e.reason }}",
        "published": (
            "Published on the status page as “{{ e.public_title }}”"
            "{% if e.auto_publish %} (the playbook publishes this severity){% endif %}"
        ),
        "postmortem_created": (
            "Post-mortem opened for {{ person(e.owner) }}, due {{ stamp(e.due_at) }}"
        ),
        "postmortem_section_edited": "Post-mortem section edited: {{ e.section }}",
        "postmortem_status_changed": "Post-mortem {{ e['from'] }} → {{ e['to'] }}",
        "postmortem_published": (
            "Post-mortem published; follow-up review on {{ stamp(e.follow_up_review_at) }}"
        ),
        "postmortem_overdue": "Post-mortem overdue: reminded {{ person(e.owner) }}",
        "postmortem_follow_up_review": (
            "Follow-up review: {{ e['items'] | selectattr('status', 'equalto', 'done') | list"
            " | length }} of {{ e['items'] | length }} action items done"
        ),
        "action_item_created": (
            "Action item #{{ e.id }} for {{ person(e.owner) }}, due {{ stamp(e.due) }}:"
            " {{ e.title }}"
        ),
        "action_item_updated": "Action item #{{ e.id }} changed: {{ changes(e) }}",
        "action_item_done": "Action item #{{ e.id }} done",
        "action_item_overdue": "Action item #{{ e.id }} overdue: reminded {{ person(e.owner) }}",
        "chat_channel_created": (
            "Slack channel #{{ e.name }} created"
            "{% if e.taken %} ({{ e.taken | join(', ') }} already taken){% endif %}"
        ),
        "chat_posted": (
            "Posted the {{ chat_post(e.action) }} to {{ e.channel }}"
            "{% if e.via == 'teams' %} (Slack failed: {{ e.slack_error }}){% endif %}"
        ),
        "chat_failed": "Slack could not {{ chat_action(e.action) }}: {{ e.error }}",
        "checklist_ticked": (
            "{{ 'Ticked' if e.done else 'Unticked' }} “{{ e.text }}”"
            "{% if e.automatic %} (warroom did it){% endif %}"
        ),
    }.items()
}
FALLBACK = builtin(
    "timeline.other", "{{ kind | replace('_', ' ') | capitalize }}: {{ changes(e) }}"
)
MESSAGE_VERBS = {"page": "Paged", "heads_up": "Told", "notify": "Notified"}
CHAT_POSTS = {
    "initial": "🚨 initial message",
    "announce": "announcement",
    "post": "timeline change",
}
CHAT_ACTIONS = {
    "create": "create the channel",
    "topic": "set the channel's topic",
    "invite": "invite the role holders",
    "initial": "post the initial message",
    "pin": "pin the initial message",
    "bookmark": "add a bookmark",
    "announce": "post the announcement",
    "post": "post to the channel",
    "archive": "archive the channel",
}


def sentence(playbook: Playbook, kind: str, actor: str, data: Mapping[str, Any]) -> str:
    """The event as a sentence; an event its template cannot read (an imported one with
    other fields) falls back to its fields, so the timeline always shows something."""
    fields = _fields(playbook) | {"kind": kind, "actor": actor, "e": _Data(data)}
    try:
        return SENTENCES.get(kind, FALLBACK)(**fields)
    except TemplateFailed:
        return FALLBACK(**fields)


class _Data(dict[str, Any]):
    """An event's data in which a field the event does not carry reads as None."""

    def __missing__(self, key: str) -> None:
        return None


def _fields(playbook: Playbook) -> dict[str, Callable[..., str]]:
    def person(person_id: str | None) -> str:
        found = playbook.people.get(person_id or "")
        return found.name if found else (person_id or "someone")

    def role(role_id: str) -> str:
        found = playbook.roles.get(role_id)
        return found.name if found else role_id.replace("_", " ")

    def level(level_id: str) -> str:
        people = ", ".join(person(p) for p in playbook.levels.get(level_id, []))
        label = level_id.replace("_", " ")
        return f"{label} ({people})" if people else label

    def severity_name(number: int) -> str:
        found = playbook.severities.get(number)
        return found.name if found else "unknown"

    return {
        "person": person,
        "role": role,
        "level": level,
        "severity_name": severity_name,
        "message_verb": lambda kind: MESSAGE_VERBS.get(kind, "Sent a message to"),
        "changes": _changes,
        "stamp": _stamp,
        "chat_post": lambda action: CHAT_POSTS.get(action, "message"),
        "chat_action": lambda action: CHAT_ACTIONS.get(action, str(action)),
    }


def _stamp(value: str | None) -> str:
    """'2024-01-17T11:05:00+00:00' -> '2024-01-17 11:05 UTC'."""
    if not value:
        return "-"
    return f"{value[:10]} {value[11:16]} UTC"


def _changes(data: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in data.items() if k != "id" and v not in (None, "", [], {})}
    return "; ".join(f"{key.replace('_', ' ')} {_plain(value)}" for key, value in shown.items())


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)
