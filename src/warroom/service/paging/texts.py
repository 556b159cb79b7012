"""The text of a page: which incident (reference, title, severity, age), what is asked,
and a signed acknowledgement link."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from jinja2.sandbox import ImmutableSandboxedEnvironment

from warroom.core.ack_links import ack_url, make_token
from warroom.core.durations import humanize
from warroom.core.escalation_state import SME_ROLE, Step
from warroom.core.playbook import Vendor
from warroom.service.context import Context
from warroom.service.messages import message_fields
from warroom.settings import Settings, load_or_create_secret
from warroom.store.models import Incident, TimelineEvent

_sandbox = ImmutableSandboxedEnvironment(autoescape=False)


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
    label = f"Sev{incident.severity} {severity.name}"
    subject = f"[{label}] {incident.reference}: {incident.title} — {_headline(ctx, step)}"
    token = make_token(ack_secret(ctx.settings), message_key, now)
    body = "\n".join(
        [
            f"Incident {incident.reference}: {incident.title}",
            f"Severity: {label}",
            f"Declared: {incident.declared_at:%Y-%m-%d %H:%M UTC} "
            f"({humanize(now - incident.declared_at)} ago)",
            f"Status: {incident.status}; chat: {incident.channel}",
            "",
            _ask(ctx, incident, step),
            f"Why: {step.reason}",
            *([] if step.action == "released" else _acknowledge(ctx, incident, step, token)),
        ]
    )
    return subject, body


def _acknowledge(ctx: Context, incident: Incident, step: Step, token: str) -> list[str]:
    return [
        "",
        f"Acknowledge: {ack_url(ctx.settings.public_url, token)}",
        f"or: warroom ack {incident.reference}" + (f" --as {step.person}" if step.person else ""),
    ]


def compose_briefing(
    ctx: Context, incident: Incident, events: list[TimelineEvent], message_key: str, now: datetime
) -> tuple[str, str]:
    """An executive briefing: the playbook's `briefing` template, and a link to say "seen"."""
    fields = message_fields(ctx, incident, events) | {"time": f"{now:%Y-%m-%d %H:%M UTC}"}
    text = _sandbox.from_string(ctx.playbook.communication.templates.briefing).render(**fields)
    token = make_token(ack_secret(ctx.settings), message_key, now)
    body = f"{text}\n\nSeen: {ack_url(ctx.settings.public_url, token)}"
    return f"[Sev{incident.severity}] {incident.reference}: executive briefing", body


def _to_vendor(ctx: Context, incident: Incident, vendor: Vendor) -> tuple[str, str]:
    """A vendor's message: the playbook's `vendor` template, with no acknowledgement link and
    nothing internal (no title, summary, people or chat)."""
    served = [s for s in incident.services if not vendor.services or s in vendor.services]
    names = [ctx.playbook.services[s].name if s in ctx.playbook.services else s for s in served]
    severity = ctx.playbook.severities[incident.severity]
    fields = {
        "reference": incident.reference,
        "severity_label": f"Sev{incident.severity} ({severity.name})",
        "start_time": f"{incident.declared_at:%Y-%m-%d %H:%M UTC}",
        "services": ", ".join(names) or "our platform",
        "provides": vendor.provides,
        "status_page_url": ctx.playbook.communication.status_page.url,
    }
    body = _sandbox.from_string(ctx.playbook.communication.templates.vendor).render(**fields)
    return f"Incident {incident.reference}: {fields['severity_label']}", body


def _headline(ctx: Context, step: Step) -> str:
    if step.action == "released" and step.role:
        return f"released: {_role_name(ctx, step.role)}"
    if step.role:
        return f"page: {_role_name(ctx, step.role)}"
    if step.action == "reminder":
        return "reminder: post an update"
    if step.level:
        return f"{step.action.replace('_', '-')}: {step.level}"
    return step.action


def _ask(ctx: Context, incident: Incident, step: Step) -> str:
    if step.action == "reminder":
        every = humanize(ctx.playbook.severities[incident.severity].update_every)
        return (
            f"No update was posted in the last {every}. Please post one: "
            f"warroom update {incident.reference} MESSAGE"
        )
    if step.action == "released" and step.role:
        return f"You no longer hold {_role_name(ctx, step.role)} on this incident."
    if step.role:
        then = ", then your backup" if _has_backup(ctx, step.role) else ""
        return (
            f"You are paged as {_role_name(ctx, step.role)}. Acknowledge now; "
            f"without an answer the page moves to your next contact{then}."
        )
    if step.action == "heads_up":
        return (
            f"Heads-up for {step.level}: this incident was declared. Acknowledge that you saw it."
        )
    return (
        f"The incident has escalated to {step.level}. Acknowledge now; without an answer "
        "it moves to your next contact, then the next level."
    )


def _has_backup(ctx: Context, role: str) -> bool:
    if role.startswith(SME_ROLE):
        sme = ctx.playbook.smes.get(role.removeprefix(SME_ROLE))
        return sme is not None and sme.backup is not None
    found = ctx.playbook.roles.get(role)
    return found is not None and found.backup is not None


def _role_name(ctx: Context, role: str) -> str:
    if role.startswith(SME_ROLE):
        return f"{role.removeprefix(SME_ROLE)} SME"
    found = ctx.playbook.roles.get(role)
    return found.name if found else role
