"""Post-incident routes: post-mortems, action items, the follow-up review, monthly reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Response, status
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

from warroom.api.deps import ContextDep, Responder, Viewer
from warroom.api.negotiation import preferred
from warroom.service.post_incident import action_items, postmortem
from warroom.service.post_incident.action_items import ActionItemOut
from warroom.service.post_incident.postmortem import PostmortemOut
from warroom.service.reports import drills
from warroom.service.reports import monthly as reports
from warroom.service.schemas import Text, Title

router = APIRouter(prefix="/api/v1", tags=["post-incident"])
POSTMORTEM_FORMATS = {"text/markdown": "md", "text/plain": "md", "application/json": "json"}
VARY = {"Vary": "Accept"}
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1, description="An action item's id")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionBody(Strict):
    text: Text


class PostmortemStatusBody(Strict):
    status: Text


class ActionItemBody(Strict):
    title: Title
    owner: Text
    due: Text | datetime


class ActionItemPatch(Strict):
    status: Text | None = None
    owner: Text | None = None
    due: Text | datetime | None = None


@router.get("/incidents/{reference}/postmortem", response_model=None)
def get_postmortem(
    reference: str,
    ctx: ContextDep,
    _caller: Viewer,
    response: Response,
    accept: Annotated[str, Header()] = "",
    format: Literal["md", "html", "json"] | None = None,
) -> Response | PostmortemOut:
    """Markdown by default; JSON (`{status, owner, due_at, published_at, markdown}`) for
    `Accept: application/json`; `format` chooses outright."""
    chosen = format or POSTMORTEM_FORMATS[preferred(accept, list(POSTMORTEM_FORMATS))]
    if chosen == "html":
        return HTMLResponse(ctx.read(postmortem.get_html, reference), headers=VARY)
    document = ctx.read(postmortem.get_postmortem, reference)
    if chosen == "json":
        response.headers.update(VARY)
        return document
    return PlainTextResponse(
        document.markdown, media_type="text/markdown; charset=utf-8", headers=VARY
    )


@router.put("/incidents/{reference}/postmortem/sections/{section}")
def edit_section(
    reference: str, section: str, body: SectionBody, ctx: ContextDep, caller: Responder
) -> PostmortemOut:
    return ctx.transact(
        postmortem.edit_section, reference, section=section, text=body.text, actor=caller.name
    )


@router.post("/incidents/{reference}/postmortem/status")
def postmortem_status(
    reference: str, body: PostmortemStatusBody, ctx: ContextDep, caller: Responder
) -> PostmortemOut:
    return ctx.transact(postmortem.change_status, reference, status=body.status, actor=caller.name)


@router.get("/incidents/{reference}/follow-up-review")
def follow_up_review(reference: str, ctx: ContextDep, _caller: Viewer) -> dict[str, Any]:
    return ctx.read(postmortem.follow_up_review, reference)


@router.post("/incidents/{reference}/action-items", status_code=status.HTTP_201_CREATED)
def create_action_item(
    reference: str, body: ActionItemBody, ctx: ContextDep, caller: Responder
) -> ActionItemOut:
    return ctx.transact(
        action_items.create_item,
        reference,
        title=body.title,
        owner=body.owner,
        due=body.due,
        actor=caller.name,
    )


@router.get("/incidents/{reference}/action-items")
def incident_action_items(reference: str, ctx: ContextDep, _caller: Viewer) -> list[ActionItemOut]:
    return ctx.read(action_items.list_items, reference=reference)


@router.patch("/action-items/{item_id}")
def update_action_item(
    item_id: ItemId, body: ActionItemPatch, ctx: ContextDep, caller: Responder
) -> ActionItemOut:
    return ctx.transact(
        action_items.update_item,
        item_id,
        status=body.status,
        owner=body.owner,
        due=body.due,
        actor=caller.name,
    )


@router.get("/action-items")
def list_action_items(
    ctx: ContextDep,
    _caller: Viewer,
    overdue: bool = False,
    status: str | None = None,
) -> list[ActionItemOut]:
    return ctx.read(action_items.list_items, overdue=overdue, status=status)


@router.get("/reports/monthly", response_model=None)
def monthly_report(
    ctx: ContextDep,
    _caller: Viewer,
    month: str,
    format: str = "json",
) -> Response | dict[str, Any]:
    if format == "json":
        return ctx.read(reports.monthly_report, month)
    text = ctx.read(reports.monthly_rendered, month, format)
    media = {"md": "text/markdown", "html": "text/html", "csv": "text/csv"}[format]
    return Response(text, media_type=f"{media}; charset=utf-8")


@router.get("/reports/drills")
def drill_report(ctx: ContextDep, _caller: Viewer) -> list[dict[str, Any]]:
    return ctx.read(drills.drill_scores)
