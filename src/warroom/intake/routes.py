"""Alert intake over HTTP: Alertmanager and Grafana webhooks, PagerDuty Events v2, generic.

The answers are the intake desk's (`intake.desk`). Two thin adapters hand it requests:
`IntakeEndpoint`, plain ASGI that the app calls for POSTs to the intake paths ahead of
FastAPI's router and per-request layers (a no-op POST handler is several times faster in
plain ASGI, and PagerDuty senders send one event per request), and the FastAPI routes
below, which document the paths in /openapi.json and serve them wherever the endpoint is
not installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from warroom.intake.desk import Answer, IntakeDesk, too_large

router = APIRouter(tags=["intake"])

PATHS = {
    "/api/v1/integrations/alertmanager": "alertmanager",
    "/api/v1/integrations/grafana": "grafana",
    "/api/v1/integrations/generic": "generic",
    "/v2/enqueue": "pagerduty",
}


@router.post("/api/v1/integrations/alertmanager", status_code=202)
async def alertmanager_webhook(request: Request) -> JSONResponse:
    """Prometheus Alertmanager `webhook_config` payload (version 4); key as Bearer token."""
    return await _route(request)


@router.post("/api/v1/integrations/grafana", status_code=202)
async def grafana_webhook(request: Request) -> JSONResponse:
    """Grafana unified-alerting webhook payload; key as Bearer token."""
    return await _route(request)


@router.post("/api/v1/integrations/generic", status_code=202)
async def generic_webhook(request: Request) -> JSONResponse:
    """`{title, severity?, service?, dedup_key?, status: firing|resolved, details?}`."""
    return await _route(request)


@router.post("/v2/enqueue", status_code=202)
async def pagerduty_enqueue(request: Request) -> JSONResponse:
    """PagerDuty Events API v2: routing_key in the body; answers as PagerDuty does."""
    return await _route(request)


async def _route(request: Request) -> JSONResponse:
    desk: IntakeDesk = request.app.state.intake_desk
    headers = {k.lower(): v for k, v in request.headers.items()}

    async def read(limit: int) -> bytes:
        return await _read_stream(headers, request.stream(), limit)

    answer = await desk.answer(PATHS[request.url.path], request.url.path, headers, read)
    return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


def intake_kind(scope: Scope) -> str | None:
    """The integration type a request is for, when it is a POST to an intake path."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    return PATHS.get(scope["path"])


class IntakeEndpoint:
    """Serves POSTs to the intake paths straight from ASGI (see `intake_kind`)."""

    def __init__(self, desk: IntakeDesk) -> None:
        self.desk = desk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = _Route(scope["path"])  # for the request metrics
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}

        async def read(limit: int) -> bytes:
            return await _read_stream(headers, _received(receive), limit)

        answer = await self.desk.answer(PATHS[scope["path"]], scope["path"], headers, read)
        await _send(send, answer)


class _Route:
    def __init__(self, path: str) -> None:
        self.path = path


async def _received(receive: Receive) -> Any:
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def _read_stream(headers: Mapping[str, str], chunks: Any, limit: int) -> bytes:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


async def _send(send: Send, answer: Answer) -> None:
    body = orjson.dumps(answer.body)  # an order of magnitude faster than json.dumps
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in answer.headers.items()),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
