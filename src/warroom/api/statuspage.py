"""The public status page (no auth) and the status-page management routes.

Public routes answer from `StatusCache`: the page, the Statuspage v2 JSON and the Atom feed
are rendered once per change and then served as bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from warroom.api.deps import ContextDep, Responder, Viewer
from warroom.service.schemas import Text, Title
from warroom.service.status_page import announcements as service
from warroom.service.status_page.public import PublicStatus
from warroom.web import statuspage as render

public = APIRouter(tags=["status page"])
manage = APIRouter(prefix="/api/v1", tags=["status page"])
router = APIRouter()

JSON = "application/json"
# Browsers and proxies revalidate every time: a status page must never show yesterday's news.
CACHE_HEADERS = {
    "Cache-Control": "no-cache",
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
}


def _cache(request: Request) -> service.StatusCache:
    cache: service.StatusCache | None = getattr(request.app.state, "status_cache", None)
    if cache is None:
        cache = request.app.state.status_cache = service.StatusCache(request.app.state.context)
    return cache


async def _serve(
    request: Request, name: str, renderer: Callable[[PublicStatus], bytes], media_type: str
) -> Response:
    cache = _cache(request)
    body = cache.servable(name)
    if body is None:  # rebuilding reads the database: off the event loop
        body = await run_in_threadpool(cache.document, name, renderer)
    return Response(body, media_type=media_type, headers=CACHE_HEADERS)


@public.get("/status", include_in_schema=False)
async def status_page(request: Request) -> Response:
    return await _serve(request, "index.html", render.html, "text/html; charset=utf-8")


@public.get("/status/feed.atom", include_in_schema=False)
async def status_feed(request: Request) -> Response:
    return await _serve(request, "feed.atom", render.atom, "application/atom+xml")


def _json_route(name: str, renderer: Callable[[PublicStatus], bytes]) -> None:
    async def route(request: Request) -> Response:
        return await _serve(request, name, renderer, JSON)

    public.add_api_route(
        f"/api/v2/{name}", route, methods=["GET"], name=f"statuspage_{name}", summary=name
    )


for _name, _renderer in render.JSON_DOCUMENTS.items():
    _json_route(_name, _renderer)


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    status: Text
    until: AwareDatetime | None = None
    for_: Text | None = Field(None, alias="for", description="A duration such as 2h")
    reason: Text = ""


class MaintenanceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title = Field(min_length=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    components: list[Text] = []
    message: Text = ""


@manage.get("/components")
def list_components(ctx: ContextDep, caller: Viewer) -> list[dict[str, Any]]:
    return ctx.read(service.list_components)


@manage.post("/components/{component}/override", status_code=201)
def set_override(
    component: str, body: OverrideBody, ctx: ContextDep, caller: Responder
) -> dict[str, Any]:
    return ctx.transact(
        service.set_override,
        component,
        status=body.status,
        until=body.until,
        duration=body.for_,
        reason=body.reason,
        actor=caller.name,
    )


@manage.delete("/components/{component}/override", status_code=204)
def clear_override(component: str, ctx: ContextDep, caller: Responder) -> Response:
    ctx.transact(service.clear_override, component, actor=caller.name)
    return Response(status_code=204)


@manage.get("/maintenances")
def list_maintenances(ctx: ContextDep, caller: Viewer) -> list[dict[str, Any]]:
    return ctx.read(service.list_maintenances)


@manage.post("/maintenances", status_code=201)
def create_maintenance(body: MaintenanceBody, ctx: ContextDep, caller: Responder) -> dict[str, Any]:
    return ctx.transact(
        service.create_maintenance,
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        components=body.components,
        message=body.message,
        actor=caller.name,
    )


router.include_router(public)
router.include_router(manage)
