"""The text of a page: which incident (reference, title, severity, age), what is asked,
and a signed acknowledgement link; the words are built-in templates in the sandbox."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from warroom.core.ack_links import ack_url, make_token
from warroom.core.durations import humanize
from warroom.core.escalation_state import SME_ROLE, Step
from warroom.core.playbook import Vendor
from warroom.core.templates import TemplateFailed, builtin, render, template_path
from warroom.service.context import Context
from warroom.service.messages import FALLBACK, failure_text, message_fields
from warroom.settings import Settings, load_or_create_secret
from warroom.store.models import Incident, TimelineEvent

SUBJECT = builtin("page.subject", "[{{ label }}] {{ reference }}: {{ title }} — {{ headline }}")
LABEL = builtin("page.label", "Sev{{ severity }} {{ name }}")
BODY = builtin(
    "page.body",
    """Incident {{ reference }}: {{ title }}
Severity: {{ label }}
Declared: {{ declared }} ({{ age }} ago)
Status: {{ status }}; chat: {{ channel }}

{{ ask }}
Why: {{ reason }}
{%- if ack_link %}

Acknowledge: {{ ack_link }}
or: warroom ack {{ reference }}{% if person %} --as {{ person }}{% endif %}
{%- endif %}""",
)
HEADLINES = {
    "released": builtin("page.headline.released", "released: {{ role_name }}"),
    "role": builtin("page.headline.role", "page: {{ role_name }}"),
    "reminder": builtin("page.headline.reminder", "reminder: post an update"),
    "level": builtin("page.headline.level", "{{ action | replace('_', '-') }}: {{ level }}"),
    "other": builtin("page.headline.other", "{{ action }}"),
}
ASKS = {
    "reminder": builtin(
        "page.ask.reminder",
        "No update was posted in the last {{ every }}. Please post one: "
        "warroom update {{ reference }} MESSAGE",
    ),
    "released": builtin(
        "page.ask.released", "You no longer hold {{ role_name }} on this incident."
    ),
    "role": builtin(
        "page.ask.role",
        "You are paged as {{ role_name }}. Acknowledge now; without an answer the page moves "
        "to your next contact{% if has_backup %}, then your backup{% endif %}.",
    ),
    "heads_up": builtin(
        "page.ask.heads_up",
        "Heads-up for {{ level }}: this incident was declared. Acknowledge that you saw it.",
    ),
    "level": builtin(
        "page.ask.level",
        "The incident has escalated to {{ level }}. Acknowledge now; without an answer it "
        "moves to your next contact, then the next level.",
    ),
}
SME_NAME = builtin("page.sme", "{{ area }} SME")
BRIEFING_SUBJECT = builtin(
    "briefing.subject", "[Sev{{ severity }}] {{ reference }}: executive briefing"
)
BRIEFING_BODY = builtin("briefing.body", "{{ text }}\n\nSeen: {{ seen_link }}")
VENDOR_SUBJECT = builtin("vendor.subject", "Incident {{ reference }}: {{ severity_label }}")
VENDOR_LABEL = builtin("vendor.label", "Sev{{ severity }} ({{ name }})")
VENDOR_NO_SERVICES = "our platform"
STAMP = "%Y-%m-%d %H:%M UTC"


@lru_cache(maxsize=8)
def ack_secret(settings: Settings) -> str:
    """The server secret signing ack links: WARROOM_SECRET, else the local secret file."""
    return load_or_create_secret(settings)


def compose(
    ctx: Context, incident: Incident, step: Step, message_key: str, now: datetime
) -> tuple[str, str]:
    vendor = ctx.playbook.vendors.get(step.person or "")
    if vendor is not None:
        return _to_vendor(ctx, incident, vendor)
    severity = ctx.playbook.severities[incident.severity]
    label = LABEL(severity=incident.severity, name=severity.name)
    headline = _headline(ctx, step)
    subject = SUBJECT(
        label=label, reference=incident.reference, title=incident.title, headline=headline
    )
    token = make_token(ack_secret(ctx.settings), message_key, now)
    body = BODY(
        reference=incident.reference,
        title=incident.title,
        label=label,
        declared=f"{incident.declared_at:{STAMP}}",
        age=humanize(now - incident.declared_at),
        status=incident.status,
        channel=incident.channel,
        ask=_ask(ctx, incident, step),
        reason=step.reason,
        ack_link=None if step.action == "released" else ack_url(ctx.settings.public_url, token),
        person=step.person,
    )
    return subject, body


def compose_briefing(
    ctx: Context, incident: Incident, events: list[TimelineEvent], message_key: str, now: datetime
) -> tuple[str, str]:
    """An executive briefing: the playbook's `briefing` template, and a link to say "seen"."""
    fields = message_fields(ctx, incident, events) | {"time": f"{now:{STAMP}}"}
    text = _playbook_text(ctx, incident, "briefing", fields)
    token = make_token(ack_secret(ctx.settings), message_key, now)
    body = BRIEFING_BODY(text=text, seen_link=ack_url(ctx.settings.public_url, token))
    return BRIEFING_SUBJECT(severity=incident.severity, reference=incident.reference), body


def _to_vendor(ctx: Context, incident: Incident, vendor: Vendor) -> tuple[str, str]:
    """A vendor's message: the playbook's `vendor` template, with no acknowledgement link and
    nothing internal (no title, summary, people or chat)."""
    served = [s for s in incident.services if not vendor.services or s in vendor.services]
    names = [ctx.playbook.services[s].name if s in ctx.playbook.services else s for s in served]
    severity = ctx.playbook.severities[incident.severity]
    fields = {
        "reference": incident.reference,
        "severity_label": VENDOR_LABEL(severity=incident.severity, name=severity.name),
        "start_time": f"{incident.declared_at:{STAMP}}",
        "services": ", ".join(names) or VENDOR_NO_SERVICES,
        "provides": vendor.provides,
        "status_page_url": ctx.playbook.communication.status_page.url,
    }
    body = _playbook_text(ctx, incident, "vendor", fields)
    return VENDOR_SUBJECT(**fields), body


def _playbook_text(ctx: Context, incident: Incident, name: str, fields: dict[str, Any]) -> str:
    """The playbook's template `name`, or the plain fallback when it fails: the message
    still goes out."""
    try:
        return render(
            template_path(name), getattr(ctx.playbook.communication.templates, name), fields
        )
    except TemplateFailed as exc:
        return failure_text(ctx, exc, incident.reference, FALLBACK)


def _headline(ctx: Context, step: Step) -> str:
    if step.action == "released" and step.role:
        return HEADLINES["released"](role_name=_role_name(ctx, step.role))
    if step.role:
        return HEADLINES["role"](role_name=_role_name(ctx, step.role))
    if step.action == "reminder":
        return HEADLINES["reminder"]()
    if step.level:
        return HEADLINES["level"](action=step.action, level=step.level)
    return HEADLINES["other"](action=step.action)


def _ask(ctx: Context, incident: Incident, step: Step) -> str:
    if step.action == "reminder":
        every = humanize(ctx.playbook.severities[incident.severity].update_every)
        return ASKS["reminder"](every=every, reference=incident.reference)
    if step.action == "released" and step.role:
        return ASKS["released"](role_name=_role_name(ctx, step.role))
    if step.role:
        has_backup = _has_backup(ctx, step.role)
        return ASKS["role"](role_name=_role_name(ctx, step.role), has_backup=has_backup)
    if step.action == "heads_up":
        return ASKS["heads_up"](level=step.level)
    return ASKS["level"](level=step.level)


def _has_backup(ctx: Context, role: str) -> bool:
    if role.startswith(SME_ROLE):
        sme = ctx.playbook.smes.get(role.removeprefix(SME_ROLE))
        return sme is not None and sme.backup is not None
    found = ctx.playbook.roles.get(role)
    return found is not None and found.backup is not None


def _role_name(ctx: Context, role: str) -> str:
    if role.startswith(SME_ROLE):
        return SME_NAME(area=role.removeprefix(SME_ROLE))
    found = ctx.playbook.roles.get(role)
    return found.name if found else role
