"""`warroom import FILE.jsonl`: past incidents, one a line, recorded retrospectively.

Line format (JSON object, one per line; blank lines and lines starting with `#` skipped):

    {"title": "...", "severity": 2, "declared_at": "2024-01-03T10:00:00Z",
     "summary"?: "...", "services"?: ["api"], "source"?: "import", "drill"?: false,
     "detected_at"?: "...",
     "events"?: [{"kind": "acknowledged", "at": "...", "actor": "alice", "data": {...}}]}

Events go through the same service functions as live actions, with their `at`, so an
imported incident is a record: it pages and notifies no one. `data` per kind:
acknowledged {person?}, status_changed {to, note?}, severity_changed {to, reason},
role_assigned {role, person}, update_posted {message, audience?, public_title?},
published {public_title}, resolution_attempt
{action, outcome, hypothesis?}, impact_assessed {affected_users_pct?, services?,
business_impact?}, resolved {resolution, root_cause?}, reopened {reason},
checklist_ticked {id, done?} (done by default). Any other kind (page_sent, escalated,
sla_breached, ...) is appended to the timeline as history: it ticks no checklist item, for
what another tool did back then is not warroom's to vouch for.

A line is checked whole before anything of it is written; a refused line is reported
with its number and reason and the rest goes in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from warroom.core.checklists import find_item
from warroom.errors import WarroomError
from warroom.service.context import Context
from warroom.service.incidents import checklist, investigation, publishing
from warroom.service.incidents import lifecycle as incidents
from warroom.service.timeline import append_event
from warroom.store.queries import incident_by_reference


class ImportedEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1)
    at: AwareDatetime
    actor: str = "import"
    data: dict[str, Any] = {}


class ImportedIncident(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    severity: int
    declared_at: AwareDatetime
    detected_at: AwareDatetime | None = None
    summary: str = ""
    services: list[str] = []
    source: str = "import"
    drill: bool = False
    actor: str = "import"
    events: list[ImportedEvent] = []


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


Apply = Callable[[Context, Session, str, ImportedEvent], Any]


def _data(event: ImportedEvent, key: str) -> Any:
    if key not in event.data:
        raise WarroomError(f"{event.kind} event needs data.{key}", f"events.data.{key}")
    return event.data[key]


APPLY: dict[str, Apply] = {
    "acknowledged": lambda c, s, r, e: incidents.acknowledge(
        c, s, r, actor=e.actor, person=e.data.get("person"), at=e.at
    ),
    "status_changed": lambda c, s, r, e: incidents.change_status(
        c, s, r, status=_data(e, "to"), note=e.data.get("note"), actor=e.actor, at=e.at
    ),
    "severity_changed": lambda c, s, r, e: incidents.change_severity(
        c, s, r, severity=int(_data(e, "to")), reason=_data(e, "reason"), actor=e.actor, at=e.at
    ),
    "role_assigned": lambda c, s, r, e: incidents.assign_role(
        c, s, r, role=_data(e, "role"), person=_data(e, "person"), actor=e.actor, at=e.at
    ),
    "update_posted": lambda c, s, r, e: publishing.post_update(
        c,
        s,
        r,
        message=_data(e, "message"),
        audience=e.data.get("audience", "internal"),
        public_title=e.data.get("public_title"),
        actor=e.actor,
        at=e.at,
    ),
    "published": lambda c, s, r, e: publishing.publish(
        c, s, r, public_title=_data(e, "public_title"), actor=e.actor, at=e.at
    ),
    "resolution_attempt": lambda c, s, r, e: investigation.record_attempt(
        c,
        s,
        r,
        action=_data(e, "action"),
        outcome=_data(e, "outcome"),
        hypothesis=e.data.get("hypothesis"),
        actor=e.actor,
        at=e.at,
    ),
    "impact_assessed": lambda c, s, r, e: investigation.assess_impact(
        c,
        s,
        r,
        affected_users_pct=e.data.get("affected_users_pct"),
        services=e.data.get("services"),
        business_impact=e.data.get("business_impact"),
        actor=e.actor,
        at=e.at,
    ),
    "resolved": lambda c, s, r, e: incidents.resolve(
        c,
        s,
        r,
        resolution=_data(e, "resolution"),
        root_cause=e.data.get("root_cause"),
        actor=e.actor,
        at=e.at,
    ),
    "reopened": lambda c, s, r, e: incidents.reopen(
        c, s, r, reason=_data(e, "reason"), actor=e.actor, at=e.at
    ),
    "checklist_ticked": lambda c, s, r, e: checklist.tick(
        c,
        s,
        r,
        str(_data(e, "id")),
        done=e.data.get("done", True),
        actor=e.actor,
        at=e.at,
    ),
}


def _history(ctx: Context, session: Session, reference: str, event: ImportedEvent) -> None:
    incident = incident_by_reference(session, reference, lock=True)
    append_event(
        session,
        incident,
        event.kind,
        event.at,
        event.actor,
        event.data,
        recorded_at=ctx.clock.now(),
    )


REQUIRED: dict[str, tuple[str, ...]] = {
    "status_changed": ("to",),
    "severity_changed": ("to", "reason"),
    "role_assigned": ("role", "person"),
    "update_posted": ("message",),
    "published": ("public_title",),
    "resolution_attempt": ("action", "outcome"),
    "resolved": ("resolution",),
    "reopened": ("reason",),
    "checklist_ticked": ("id",),
}


def _check_against_playbook(ctx: Context, line: ImportedIncident) -> None:
    """Refuse what the service functions would refuse half-way, before anything is written."""
    playbook = ctx.playbook
    if line.severity not in playbook.severities:
        raise WarroomError(f"severity {line.severity} is not in the playbook", "severity")
    unknown = [s for s in line.services if s not in playbook.services]
    if unknown:
        raise WarroomError(f"unknown service(s) {', '.join(unknown)}", "services")
    for index, event in enumerate(line.events):
        where = f"events.{index}"
        for key in REQUIRED.get(event.kind, ()):
            if event.data.get(key) in (None, ""):
                raise WarroomError(f"{where}: {event.kind} needs data.{key}", f"{where}.data.{key}")
        data = event.data
        if event.kind == "checklist_ticked":
            _check_tick(ctx, where, data)
        if event.kind == "role_assigned" and data["role"] not in playbook.roles:
            raise WarroomError(f"{where}: unknown role {data['role']!r}", f"{where}.data.role")
        person = data.get("person")
        if (
            event.kind in ("role_assigned", "acknowledged")
            and person is not None
            and (person not in playbook.people)
        ):
            raise WarroomError(
                f"{where}: {person!r} is not in the playbook", f"{where}.data.person"
            )
        if event.kind == "resolution_attempt" and data["outcome"] not in (
            "failed",
            "succeeded",
            "pending",
        ):
            raise WarroomError(
                f"{where}: outcome is failed, succeeded or pending", f"{where}.data.outcome"
            )


def _check_tick(ctx: Context, where: str, data: dict[str, Any]) -> None:
    if find_item(ctx.playbook, str(data["id"])) is None:
        raise WarroomError(f"{where}: unknown checklist item {data['id']!r}", f"{where}.data.id")
    if not isinstance(data.get("done", True), bool):
        raise WarroomError(f"{where}: done is true or false", f"{where}.data.done")


def parse_line(text: str, now: datetime) -> ImportedIncident:
    """Check a line whole: JSON, fields, and events in time order from the declaration."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WarroomError(f"not JSON: {exc.msg} (column {exc.colno})", None) from None
    if not isinstance(raw, dict):
        raise WarroomError("a line is one JSON object", None)
    try:
        line = ImportedIncident.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WarroomError(f"{where}: {first['msg']}", where) from None
    previous = line.declared_at
    for index, event in enumerate(line.events):
        if event.kind == "declared":
            raise WarroomError(
                f"events.{index}: the declaration comes from the line itself",
                f"events.{index}.kind",
            )
        if event.at < previous or event.at > now:
            raise WarroomError(
                f"events.{index}.at {event.at.isoformat()} is out of order "
                "(before the previous event, or in the future)",
                f"events.{index}.at",
            )
        previous = event.at
    return line


def import_line(ctx: Context, line: ImportedIncident) -> str:
    """Declare the line's incident, then apply its events one by one, each in a transaction
    of its own as if done live: an event refused half-way keeps what came before it."""
    reference = ctx.transact(
        incidents.declare,
        incidents.Declaration(
            title=line.title,
            severity=line.severity,
            summary=line.summary,
            services=line.services,
            source=line.source,
            at=line.declared_at,
            drill=line.drill,
            detected_at=line.detected_at,
        ),
        actor=line.actor,
    ).reference
    for event in line.events:
        ctx.transact(APPLY.get(event.kind, _history), reference, event)
    return reference


def import_lines(
    ctx: Context, lines: Iterable[str], on_line: Callable[[], None] | None = None
) -> ImportResult:
    result = ImportResult()
    for number, text in _numbered(lines):
        try:
            line = parse_line(text, ctx.clock.now())
            _check_against_playbook(ctx, line)
        except WarroomError as exc:
            result.refused.append((number, exc.message))
        else:
            try:
                result.imported.append(import_line(ctx, line))
            except WarroomError as exc:
                result.refused.append((number, f"{exc.message} (partly recorded before this)"))
        if on_line:
            on_line()
    return result


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped
