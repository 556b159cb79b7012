"""What service functions return: plain pydantic snapshots, also the API's response bodies;
and the bounded text types the API's request bodies are made of."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from warroom.core.alert_views import AlertGroupView, AlertView
from warroom.core.incident import TEXT_MAX, TITLE_MAX
from warroom.core.playbook import Playbook
from warroom.core.timeline_text import sentence
from warroom.store.models import Incident, TimelineEvent

Title = Annotated[str, Field(max_length=TITLE_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]


class EventOut(BaseModel):
    """A timeline event: its structured data, and how it reads for people (`text`, with
    the actor by name in `actor_name`)."""

    seq: int
    at: datetime
    actor: str
    actor_name: str
    kind: str
    data: dict[str, Any]
    text: str

    @classmethod
    def of(cls, event: TimelineEvent, playbook: Playbook) -> EventOut:
        return cls(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            actor_name=playbook.person_name(event.actor),
            kind=event.kind,
            data=event.data,
            text=sentence(playbook, event.kind, event.actor, event.data),
        )


class IncidentOut(BaseModel):
    reference: str
    title: str
    summary: str
    severity: int
    severity_name: str
    status: str
    channel: str
    services: list[str]
    roles: dict[str, str]
    impact: dict[str, Any]
    source: str
    drill: bool
    retrospective: bool
    detected_at: datetime | None
    declared_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    root_cause: str | None
    published_at: datetime | None
    public_title: str | None

    @classmethod
    def of(cls, incident: Incident, severity_name: str) -> IncidentOut:
        fields = {
            name: getattr(incident, name) for name in cls.model_fields if name != "severity_name"
        }
        return cls(severity_name=severity_name, **fields)


class ChecklistItemOut(BaseModel):
    """One item of the playbook's checklists on one incident; `automatic`: warroom ticked it."""

    id: str
    phase: str
    text: str
    done: bool
    done_by: str | None
    done_at: datetime | None
    automatic: bool


class PostmortemBrief(BaseModel):
    """Where an incident's post-mortem stands (the whole of it: `GET .../postmortem`)."""

    status: str
    owner: str
    due_at: datetime


class IncidentDetail(IncidentOut):
    """An incident with its war room (links, resources, role holders, runbooks), its alerts
    (the last received, `alerts_total` in all), what its timeline says about pages and
    escalations, and its post-mortem once resolving opened one (null before)."""

    links: dict[str, str | None] = {}
    resources: dict[str, str] = {}
    role_holders: list[dict[str, str]] = []
    runbooks: list[dict[str, Any]] = []
    alerts: list[AlertView] = []
    alerts_total: int = 0
    storm: bool = False  # an alert-storm incident, holding the groups of many (SPEC §5)
    alert_groups: list[AlertGroupView] = []
    pages: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []
    next_steps: list[dict[str, Any]] = []
    postmortem: PostmortemBrief | None = None
    checklist: list[ChecklistItemOut] = []
