"""The post-mortem's first draft, written from the incident's data, one section at a time.

Sections come from `playbook.post_incident.sections`; each name is matched to a drafter by
what it is about (summary, timeline, root cause, impact, response, action, lesson), so a
playbook that renames or reorders them still gets drafts. An edited section replaces its
draft text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from warroom.core.business_hours import SeverityClock, clock_for
from warroom.core.durations import humanize
from warroom.core.incident import EventKind
from warroom.core.metrics import time_to_resolve
from warroom.core.playbook import Playbook
from warroom.core.timeline_text import sentence
from warroom.service.post_incident import draft_texts as texts
from warroom.store.models import Incident, TimelineEvent
from warroom.store.post_models import ActionItem


@dataclass
class Material:
    playbook: Playbook
    incident: Incident
    events: Sequence[TimelineEvent]
    items: Sequence[ActionItem]
    now: datetime
    follow_up_due: datetime | None = None


def render_markdown(material: Material, edited: dict[str, str]) -> str:
    incident = material.incident
    lines = [f"# Post-mortem: {incident.reference} — {incident.title}", ""]
    for name in material.playbook.post_incident.sections:
        text = edited.get(name) or draft_section(name, material)
        lines += [f"## {name}", "", text.strip(), ""]
    return "\n".join(lines)


def draft_section(name: str, material: Material) -> str:
    lowered = name.lower()
    for keyword, drafter in DRAFTERS:
        if keyword in lowered:
            return drafter(material)
    return "_To be written._"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def _span(seconds: float | None) -> str:
    return humanize(timedelta(seconds=seconds)) if seconds is not None else "not reached"


def _impact_line(incident: Incident) -> str:
    impact = incident.impact or {}
    parts = []
    if impact.get("affected_users_pct") is not None:
        parts.append(f"{impact['affected_users_pct']}% of users affected")
    if incident.services:
        parts.append("services: " + ", ".join(incident.services))
    if impact.get("business_impact"):
        parts.append(str(impact["business_impact"]))
    return "; ".join(parts) or "not assessed"


def executive_summary(m: Material) -> str:
    i = m.incident
    severity = m.playbook.severities[i.severity]
    duration = _span(time_to_resolve(i.declared_at, i.resolved_at))
    return "\n".join(
        [
            f"- **Incident:** {i.title} ({i.reference})",
            f"- **Severity:** Sev{i.severity} ({severity.name})",
            f"- **Declared:** {_when(i.declared_at)}; **resolved:** {_when(i.resolved_at)}",
            f"- **Duration:** {duration}",
            f"- **Impact:** {_impact_line(i)}",
            f"- **Resolution:** {i.resolution or '—'}",
        ]
    )


def timeline_of_events(m: Material) -> str:
    """What happened, as the incident page reads it, less the checklist items warroom
    ticked by itself: each repeats the event before it."""
    rows = [
        {
            "at": _when(event.at),
            "who": m.playbook.person_name(event.actor),
            "what": sentence(m.playbook, event.kind, event.actor, event.data or {}),
        }
        for event in m.events
        if not (event.kind == "checklist_ticked" and (event.data or {}).get("automatic"))
    ]
    return texts.TIMELINE_OF_EVENTS(rows=rows)


def _prevention(m: Material) -> str | None:
    """What a resolution proposed to keep this from happening again: the latest one that
    said, so a reopened incident resolved a second time without one keeps the first."""
    proposals = [
        str(e.data.get("prevention") or "").strip()
        for e in m.events
        if e.kind == EventKind.RESOLVED
    ]
    return next((text for text in reversed(proposals) if text), None)


def _attempts(m: Material) -> list[TimelineEvent]:
    return [e for e in m.events if e.kind == EventKind.RESOLUTION_ATTEMPT]


def root_cause(m: Material) -> str:
    lines = [f"**Root cause:** {m.incident.root_cause or '_to be determined_'}", ""]
    prevention = _prevention(m)
    if prevention:
        lines += [texts.PREVENTION(prevention=prevention), ""]
    attempts = _attempts(m)
    if attempts:
        lines.append("Hypotheses and attempts:")
        for event in attempts:
            d = event.data
            hypothesis = d.get("hypothesis") or "no hypothesis recorded"
            lines.append(
                f"- {_when(event.at)}: {hypothesis} → {d.get('action')} ({d.get('outcome')})"
            )
    else:
        lines.append("No resolution attempts were recorded.")
    return "\n".join(lines)


def impact_assessment(m: Material) -> str:
    lines = [f"- {_impact_line(m.incident)}"]
    for event in m.events:
        if event.kind == EventKind.IMPACT_ASSESSED:
            assessed = ", ".join(f"{k}: {v}" for k, v in event.data.items())
            lines.append(f"- assessed {_when(event.at)}: {assessed}")
    return "\n".join(lines)


def _cadence_kept(m: Material, every: timedelta, clock: SeverityClock) -> bool:
    moments = [m.incident.declared_at]
    moments += [e.at for e in m.events if e.kind == EventKind.UPDATE_POSTED]
    end = m.incident.resolved_at or m.now
    moments.append(end)
    return all(clock.elapsed(a, b) <= every for a, b in pairwise(moments))


def _seconds_on(clock: SeverityClock, start: datetime, end: datetime | None) -> float | None:
    return None if end is None else clock.elapsed(start, end).total_seconds()


def response_evaluation(m: Material) -> str:
    i = m.incident
    severity = m.playbook.severities[i.severity]
    clock = clock_for(m.playbook, i.severity)
    tta = _seconds_on(clock, i.declared_at, i.acknowledged_at)
    ttr = _seconds_on(clock, i.declared_at, i.resolved_at)
    business = " of business time" if clock.hours is not None else ""
    limit_a, limit_r = (
        severity.response_time.total_seconds(),
        severity.resolution_target.total_seconds(),
    )
    kinds = [e.kind for e in m.events]
    failed = sum(1 for e in _attempts(m) if e.data.get("outcome") == "failed")
    kept = _cadence_kept(m, severity.update_every, clock)
    return "\n".join(
        [
            f"- **Time to acknowledge:** {_span(tta)}{business} against a response SLA of "
            f"{humanize(severity.response_time)} — "
            + ("met" if tta is not None and tta <= limit_a else "**missed**"),
            f"- **Time to resolve:** {_span(ttr)}{business} against a resolution target of "
            f"{humanize(severity.resolution_target)} — "
            + ("met" if ttr is not None and ttr <= limit_r else "**missed**"),
            f"- **Escalations:** {kinds.count(EventKind.ESCALATED)}; "
            f"**pages sent:** {kinds.count(EventKind.PAGE_SENT)}, "
            f"failed: {kinds.count(EventKind.PAGE_FAILED)}",
            f"- **Failed resolution attempts:** {failed}",
            f"- **Update cadence (every {humanize(severity.update_every)}):** "
            + ("kept" if kept else "**not kept**")
            + f" ({kinds.count(EventKind.UPDATE_POSTED)} updates)",
        ]
    )


def action_items(m: Material) -> str:
    if not m.items:
        lines = ["No action items yet. Assign owners and due dates for each follow-up."]
    else:
        lines = ["| # | Action | Owner | Due (UTC) | State |", "|---|---|---|---|---|"]
        for item in m.items:
            state = item.status
            if item.status == "open" and item.due_at < m.now:
                state = "open (overdue)"
            lines.append(
                f"| {item.id} | {item.title} | {m.playbook.person_name(item.owner)} "
                f"| {_when(item.due_at)} | {state} |"
            )
    proposed = _prevention(m)
    if proposed and not any(_same(item.title, proposed) for item in m.items):
        lines += ["", texts.PROPOSED_ACTION_ITEM(prevention=proposed)]
    if m.follow_up_due is not None:
        lines += ["", f"Follow-up review: {_when(m.follow_up_due)}."]
    return "\n".join(lines)


def _same(title: str, proposal: str) -> bool:
    return title.strip().casefold() == proposal.strip().casefold()


def lessons_learned(m: Material) -> str:
    return "\n".join(
        [
            "_Prompts for the post-mortem meeting:_",
            "- What went well?",
            "- What went wrong, and where were we lucky?",
            "- Which alert, runbook or dashboard would have shortened detection or diagnosis?",
            "- What do we change in the playbook, runbooks or training?",
        ]
    )


DRAFTERS: tuple[tuple[str, Callable[[Material], str]], ...] = (
    ("summary", executive_summary),
    ("timeline", timeline_of_events),
    ("root cause", root_cause),
    ("impact", impact_assessment),
    ("response", response_evaluation),
    ("action", action_items),
    ("lesson", lessons_learned),
)
