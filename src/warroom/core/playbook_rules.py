"""Cross-reference checks: the rules that span sections, each problem with its YAML path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from string import Formatter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.core.playbook import Playbook, PlaybookProblem
from warroom.core.schedule_rules import schedule_problems, unknown_schedule
from warroom.core.templates import PLAYBOOK_TEMPLATES, template_path, template_problem
from warroom.core.timeline_text import SENTENCES


def cross_reference_problems(playbook: Playbook) -> list[PlaybookProblem]:
    checks = (
        _role_problems,
        _level_problems,
        _severity_problems,
        _people_references,
        _role_references,
        _communication_problems,
        _intake_problems,
        _timezone_problems,
        _checklist_problems,
        schedule_problems,
    )
    return [PlaybookProblem(path=p, message=m) for check in checks for p, m in check(playbook)]


def _reachable_person(playbook: Playbook, person_id: str | None) -> str | None:
    """Why `person_id` cannot be paged, or None when it can."""
    if person_id is None:
        return None
    if (problem := unknown_schedule(playbook, person_id)) is not None:
        return problem or None
    person = playbook.people.get(person_id)
    if person is None:
        return f"names unknown person {person_id!r}"
    if not person.contacts:
        return f"names person {person_id!r}, who has no contacts to page"
    return None


def _role_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for role_id, role in playbook.roles.items():
        for slot in ("primary", "backup"):
            problem = _reachable_person(playbook, getattr(role, slot))
            if problem:
                yield f"roles.{role_id}.{slot}", problem


def _level_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for level_id, members in playbook.levels.items():
        if not members:
            yield f"levels.{level_id}", "an escalation level needs at least one person"
        for index, person_id in enumerate(members):
            problem = _reachable_person(playbook, person_id)
            if problem:
                yield f"levels.{level_id}.{index}", problem


def _severity_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for number, severity in playbook.severities.items():
        base = f"severities.{number}"
        for index, level in enumerate(severity.notify_on_declare):
            if level not in playbook.levels:
                yield f"{base}.notify_on_declare.{index}", f"unknown level {level!r}"
        for index, role in enumerate(severity.page_on_declare):
            if role not in playbook.roles:
                yield f"{base}.page_on_declare.{index}", f"unknown role {role!r}"
        previous = None
        for index, step in enumerate(severity.escalation):
            if step.level not in playbook.levels:
                yield f"{base}.escalation.{index}.level", f"unknown level {step.level!r}"
            if previous is not None and step.after <= previous:
                yield f"{base}.escalation.{index}.after", "matrix steps must come in rising time"
            previous = step.after
        if severity.response_time > severity.resolution_target:
            yield f"{base}.response_time", "response time is longer than the resolution target"


def _role_references(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for index, role in enumerate(playbook.triggers.unacknowledged_pages_backup_of):
        if role not in playbook.roles:
            yield f"triggers.unacknowledged_pages_backup_of.{index}", f"unknown role {role!r}"
    owner_role = playbook.post_incident.postmortem_owner_role
    if owner_role is not None and owner_role not in playbook.roles:
        yield "post_incident.postmortem_owner_role", f"unknown role {owner_role!r}"
    reminder_role = playbook.communication.update_reminder_role
    if reminder_role is not None and reminder_role not in playbook.roles:
        yield "communication.update_reminder_role", f"unknown role {reminder_role!r}"
    briefing = playbook.communication.executive_briefing
    if briefing is not None:
        path = "communication.executive_briefing"
        for index, level in enumerate(briefing.to):
            if level not in playbook.levels:
                yield f"{path}.to[{index}]", f"unknown escalation level {level!r}"
        for index, severity in enumerate(briefing.severities):
            if severity not in playbook.severities:
                yield f"{path}.severities[{index}]", f"unknown severity {severity}"


def _people_references(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for area, sme in playbook.smes.items():
        for field, person_id in (("primary", sme.primary), ("backup", sme.backup)):
            if person_id is not None and person_id not in playbook.people:
                yield f"smes.{area}.{field}", f"names unknown person {person_id!r}"
    for vendor_id, vendor in playbook.vendors.items():
        if vendor_id not in playbook.people:
            yield f"vendors.{vendor_id}", "a vendor needs a people entry with its contacts"
        for index, service_id in enumerate(vendor.services):
            if service_id not in playbook.services:
                yield f"vendors.{vendor_id}.services[{index}]", f"unknown service {service_id!r}"
    for service_id, service in playbook.services.items():
        if service.owner and service.owner not in playbook.people:
            yield f"services.{service_id}.owner", f"names unknown person {service.owner!r}"


def _channel_pattern_problem(pattern: str) -> str | None:
    """The channel name is a format pattern: it may name {date} and {seq} (with a format
    spec such as {seq:03d}) and nothing else, so it reads no attribute and cannot fail later."""
    try:
        fields = [name for _, name, _, _ in Formatter().parse(pattern) if name is not None]
        bad = [name for name in fields if name not in ("date", "seq")]
        if bad:
            return f"the pattern may use only {{date}} and {{seq}}, not {{{bad[0]}}}"
        if "date" not in fields or "seq" not in fields:
            return "the pattern needs {date} and {seq}"
        pattern.format(date="2026-01-01", seq=1)
    except (ValueError, IndexError, KeyError) as exc:
        return f"the pattern does not format: {exc}"
    return None


def _communication_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    communication = playbook.communication
    problem = _channel_pattern_problem(communication.channel_name)
    if problem:
        yield "communication.channel_name", problem
    for name in PLAYBOOK_TEMPLATES:
        problem = template_problem(name, getattr(communication.templates, name))
        if problem:
            yield template_path(name), problem
    for number in communication.status_page.component_status:
        if number not in playbook.severities:
            yield f"communication.status_page.component_status.{number}", "unknown severity"
    for number in communication.status_page.public_titles:
        if number not in playbook.severities:
            yield f"communication.status_page.public_titles.{number}", "unknown severity"
    for index, number in enumerate(communication.status_page.auto_publish):
        path = f"communication.status_page.auto_publish[{index}]"
        if number not in playbook.severities:
            yield path, f"unknown severity {number}"
        elif number not in communication.status_page.public_titles:
            yield path, f"severity {number} has no entry in status_page.public_titles"


def _intake_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    intake = playbook.intake
    valid = playbook.severities
    for label, number in intake.severity_map.items():
        if number not in valid:
            yield f"intake.severity_map.{label}", f"unknown severity {number}"
    if intake.default_severity not in valid:
        yield "intake.default_severity", f"unknown severity {intake.default_severity}"
    for index, rule in enumerate(intake.rules):
        if rule.severity is not None and rule.severity not in valid:
            yield f"intake.rules.{index}.severity", f"unknown severity {rule.severity}"
        if rule.service is not None and rule.service not in playbook.services:
            yield f"intake.rules.{index}.service", f"unknown service {rule.service!r}"


def _timezone_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for path, zone in (
        ("timezone", playbook.timezone),
        ("business_hours.timezone", playbook.business_hours.timezone),
    ):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            yield path, f"unknown timezone {zone!r}"


def _checklist_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for index, checklist in enumerate(playbook.checklists):
        for number, item in enumerate(checklist.items):
            path = f"checklists.{index}.items.{number}"
            if item.id in seen:
                yield f"{path}.id", f"item id {item.id!r} is used twice"
            seen.add(item.id)
            kind = (item.ticks_on or "").partition(".")[0]
            if kind and kind not in SENTENCES:
                known = ", ".join(sorted(SENTENCES))
                yield f"{path}.ticks_on", f"unknown event kind {kind!r} (known: {known})"


def review_warning(playbook: Playbook, today: date) -> str | None:
    """The playbook's own review is due: not a problem in the file, but worth saying."""
    due = playbook.next_review
    if due is None or due > today:
        return None
    days = (today - due).days
    when = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    return f"next_review: the playbook was due for review on {due.isoformat()} ({when})"
