"""Incident routes: parse the request, call one service function, return its result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from warroom.api.deps import ContextDep, Responder, Viewer
from warroom.core.incident import TITLE_MAX
from warroom.service.incidents import investigation, listing, publishing, reading
from warroom.service.incidents import lifecycle as service
from warroom.service.messages import render_message
from warroom.service.schemas import EventOut, IncidentDetail, IncidentOut, Text, Title
from warroom.store.incident_list import IncidentFilter

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
SEVERITY_MAX = 99  # far above any playbook's; keeps a number's digits out of SQL and messages
SERVICE = "Only incidents whose services include this one"
SEARCH = "Text in the title, summary or reference (case-insensitive)"
CURSOR = "Where the next page starts, from the previous page's Link header"
Severity = Annotated[int, Field(ge=0, le=SEVERITY_MAX)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime | None = Field(None, description="Past UTC time, for retrospective entry")


class DeclareBody(Body):
    title: Title = Field(min_length=1)
    severity: Severity
    summary: Text = ""
    services: list[Text] = []
    source: str = Field("manual", max_length=50)
    drill: bool = False


class AcknowledgeBody(Body):
    person: Text | None = None


class StatusBody(Body):
    status: Text
    note: Text | None = None


class SeverityBody(Body):
    severity: Severity
    reason: Text


class RoleBody(Body):
    role: Text
    person: Text


class EngageBody(Body):
    sme: Text


class UpdateBody(Body):
    message: Text
    audience: Literal["internal", "public"] = "internal"
    next_steps: Text | None = None
    eta: Text | None = None
    public_title: str | None = Field(
        None, max_length=500, description="Needed by the first public update: it publishes"
    )


class PublishBody(Body):
    public_title: str | None = Field(None, max_length=500)
    message: Text | None = None


class AttemptBody(Body):
    action: Text
    outcome: Literal["failed", "succeeded", "pending"]
    hypothesis: Text | None = None


class ImpactBody(Body):
    affected_users_pct: float | None = None
    services: list[Text] | None = None
    business_impact: Text | None = None


class ResolveBody(Body):
    resolution: Text
    root_cause: Text | None = None
    prevention: Text | None = None


class ReopenBody(Body):
    reason: Text


@router.post("", status_code=status.HTTP_201_CREATED)
def declare(
    body: DeclareBody, ctx: ContextDep, caller: Responder, response: Response
) -> IncidentOut:
    incident = ctx.transact(
        service.declare,
        service.Declaration(
            title=body.title,
            severity=body.severity,
            summary=body.summary,
            services=body.services,
            source=body.source,
            at=body.at,
            drill=body.drill,
        ),
        actor=caller.name,
    )
    response.headers["Location"] = f"/api/v1/incidents/{incident.reference}"
    return incident


@router.get("")
def list_incidents(
    ctx: ContextDep,
    _caller: Viewer,
    request: Request,
    response: Response,
    status: Literal["open", "resolved", "all"] = "open",
    severity: Annotated[int | None, Query(ge=0, le=SEVERITY_MAX)] = None,
    service: Annotated[str | None, Query(max_length=TITLE_MAX, description=SERVICE)] = None,
    q: Annotated[str | None, Query(max_length=TITLE_MAX, description=SEARCH)] = None,
    since: Annotated[datetime | None, Query(description="Declared at or after (UTC)")] = None,
    until: Annotated[datetime | None, Query(description="Declared before (UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = listing.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200, description=CURSOR)] = None,
) -> list[IncidentOut]:
    """Newest first; when more remain, `Link: <...>; rel="next"` is the next page's URL."""
    wanted = IncidentFilter(
        status=status, severity=severity, service=service, text=q, since=since, until=until
    )
    page = ctx.read(listing.list_page, wanted, limit=limit, cursor=cursor)
    if page.next_cursor is not None:
        following = request.url.include_query_params(cursor=page.next_cursor)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return page.incidents


@router.get("/{reference}")
def get_incident(reference: str, ctx: ContextDep, _caller: Viewer) -> IncidentDetail:
    return ctx.read(reading.get_incident, reference)


@router.get("/{reference}/timeline")
def get_timeline(reference: str, ctx: ContextDep, _caller: Viewer) -> list[EventOut]:
    return ctx.read(reading.get_timeline, reference)


@router.get("/{reference}/messages/{kind}", response_class=PlainTextResponse)
def get_message(reference: str, kind: str, ctx: ContextDep, _caller: Viewer) -> str:
    return ctx.read(render_message, reference, kind)


@router.post("/{reference}/acknowledge")
def acknowledge(
    reference: str, ctx: ContextDep, caller: Responder, body: AcknowledgeBody | None = None
) -> IncidentOut:
    body = body or AcknowledgeBody()
    return ctx.transact(
        service.acknowledge, reference, actor=caller.name, person=body.person, at=body.at
    )


@router.post("/{reference}/status")
def change_status(
    reference: str, body: StatusBody, ctx: ContextDep, caller: Responder
) -> IncidentOut:
    return ctx.transact(
        service.change_status,
        reference,
        status=body.status,
        note=body.note,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/severity")
def change_severity(
    reference: str, body: SeverityBody, ctx: ContextDep, caller: Responder
) -> IncidentOut:
    return ctx.transact(
        service.change_severity,
        reference,
        severity=body.severity,
        reason=body.reason,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/roles")
def assign_role(reference: str, body: RoleBody, ctx: ContextDep, caller: Responder) -> IncidentOut:
    return ctx.transact(
        service.assign_role,
        reference,
        role=body.role,
        person=body.person,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/engage")
def engage(reference: str, body: EngageBody, ctx: ContextDep, caller: Responder) -> IncidentOut:
    return ctx.transact(service.engage, reference, sme=body.sme, actor=caller.name, at=body.at)


@router.post("/{reference}/updates", status_code=status.HTTP_201_CREATED)
def post_update(
    reference: str, body: UpdateBody, ctx: ContextDep, caller: Responder
) -> IncidentOut:
    return ctx.transact(
        publishing.post_update,
        reference,
        message=body.message,
        audience=body.audience,
        next_steps=body.next_steps,
        eta=body.eta,
        public_title=body.public_title,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/publish")
def publish(reference: str, body: PublishBody, ctx: ContextDep, caller: Responder) -> IncidentOut:
    return ctx.transact(
        publishing.publish,
        reference,
        public_title=body.public_title or "",
        message=body.message,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/attempts", status_code=status.HTTP_201_CREATED)
def record_attempt(
    reference: str, body: AttemptBody, ctx: ContextDep, caller: Responder
) -> IncidentOut:
    return ctx.transact(
        investigation.record_attempt,
        reference,
        action=body.action,
        outcome=body.outcome,
        hypothesis=body.hypothesis,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/impact")
def assess_impact(
    reference: str, body: ImpactBody, ctx: ContextDep, caller: Responder
) -> IncidentOut:
    return ctx.transact(
        investigation.assess_impact,
        reference,
        affected_users_pct=body.affected_users_pct,
        services=body.services,
        business_impact=body.business_impact,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/resolve")
def resolve(reference: str, body: ResolveBody, ctx: ContextDep, caller: Responder) -> IncidentOut:
    return ctx.transact(
        service.resolve,
        reference,
        resolution=body.resolution,
        root_cause=body.root_cause,
        prevention=body.prevention,
        actor=caller.name,
        at=body.at,
    )


@router.post("/{reference}/reopen")
def reopen(reference: str, body: ReopenBody, ctx: ContextDep, caller: Responder) -> IncidentOut:
    return ctx.transact(
        service.reopen, reference, reason=body.reason, actor=caller.name, at=body.at
    )
