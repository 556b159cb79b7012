"""Alert intake routes: Alertmanager and Grafana webhooks, PagerDuty Events v2, generic.

Every answer is decided here and nowhere else: 2xx only after the commit, 503 when the
database fails (senders retry 5xx), 4xx with the reason for what a sender got wrong (kept in
the rejected list), 429 past the playbook's per-key rate, and never a 500.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from warroom.api.errors import error_body
from warroom.core.routing import Notification, RateLimiter
from warroom.errors import WarroomError
from warroom.intake import alertmanager, generic, grafana, pagerduty
from warroom.intake.common import PayloadRejected
from warroom.service import intake
from warroom.service.context import Context

log = logging.getLogger("warroom.intake")
router = APIRouter(tags=["intake"])

MAX_BODY = 10 * 1024 * 1024
KEPT_BODY = 64 * 1024
HIDDEN_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_ROUTING_KEY = re.compile(r'("routing_key"\s*:\s*")[^"]*(")')
Parser = Callable[[Any, datetime], Notification]
T = TypeVar("T")


@router.post("/api/v1/integrations/alertmanager", status_code=200)
async def alertmanager_webhook(request: Request) -> JSONResponse:
    """Prometheus Alertmanager `webhook_config` payload (version 4); key as Bearer token."""
    return await _webhook(request, "alertmanager", alertmanager.parse)


@router.post("/api/v1/integrations/grafana", status_code=200)
async def grafana_webhook(request: Request) -> JSONResponse:
    """Grafana unified-alerting webhook payload; key as Bearer token."""
    return await _webhook(request, "grafana", grafana.parse)


@router.post("/api/v1/integrations/generic", status_code=200)
async def generic_webhook(request: Request) -> JSONResponse:
    """`{title, severity?, service?, dedup_key?, status: firing|resolved, details?}`."""
    ctx: Context = request.app.state.context
    return await _webhook(
        request,
        "generic",
        lambda body, now: generic.parse(body, now, ctx.playbook.intake),
        limited=True,
    )


@router.post("/v2/enqueue", status_code=202)
async def pagerduty_enqueue(request: Request) -> JSONResponse:
    """PagerDuty Events API v2: routing_key in the body; answers as PagerDuty does."""
    ctx: Context = request.app.state.context
    try:
        raw = await _read(request, pagerduty.MAX_BODY)
        body = _json(request, raw)
        event = pagerduty.parse(body, ctx.clock.now())
        found = await _run(ctx, intake.authenticate, ctx, event.routing_key, "pagerduty")
    except pagerduty.InvalidEvent as exc:
        await _keep(request, exc, _safe(request))
        return _pd(400, "invalid event", exc.message, exc.errors)
    except WarroomError as exc:
        await _keep(request, exc, _safe(request))
        status = "invalid event" if exc.status_code != 401 else "unauthorized"
        return _pd(exc.status_code, status, exc.message, [exc.message])
    except SQLAlchemyError:
        log.exception("event=intake_db_error endpoint=/v2/enqueue")
        return _pd(503, "unavailable", "database unavailable; retry", ["database unavailable"])
    wait = _limiter(request).hit(f"key:{found.id}", ctx.clock.now())
    if wait is not None:
        return JSONResponse(
            {"status": "throttled", "message": "Requests for this key were throttled"},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    try:
        await _run(ctx, intake.ingest, ctx, found, event.notification)
    except DataError as exc:
        refused = _refused_value(exc)
        await _keep(request, refused, _safe(request))
        return _pd(400, "invalid event", refused.message, [refused.message])
    except SQLAlchemyError:
        log.exception("event=intake_db_error endpoint=/v2/enqueue")
        return _pd(503, "unavailable", "database unavailable; retry", ["database unavailable"])
    except WarroomError as exc:
        await _keep(request, exc, _safe(request))
        return _pd(400, "invalid event", exc.message, [exc.message])
    return JSONResponse(
        {"status": "success", "message": "Event processed", "dedup_key": event.dedup_key},
        status_code=202,
    )


async def _webhook(
    request: Request, kind: str, parse: Parser, *, limited: bool = False
) -> JSONResponse:
    ctx: Context = request.app.state.context
    try:
        found = await _run(ctx, intake.authenticate, ctx, _bearer(request), kind)
        if limited and (wait := _limiter(request).hit(f"key:{found.id}", ctx.clock.now())):
            return JSONResponse(
                error_body("too many events for this key; retry later", None),
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
        raw = await _read(request, MAX_BODY)
        notification = parse(_json(request, raw), ctx.clock.now())
        outcome = await _run(ctx, intake.ingest, ctx, found, notification)
    except WarroomError as exc:
        await _keep(request, exc, _safe(request))
        return JSONResponse(error_body(exc.message, exc.field), status_code=exc.status_code)
    except DataError as exc:
        refused = _refused_value(exc)
        await _keep(request, refused, _safe(request))
        return JSONResponse(error_body(refused.message, refused.field), status_code=400)
    except SQLAlchemyError:
        log.exception("event=intake_db_error endpoint=%s", request.url.path)
        return JSONResponse(error_body("database unavailable; retry", None), status_code=503)
    return JSONResponse(
        {
            "status": "accepted",
            "incident": outcome.reference,
            "outcome": str(outcome.move),
            "alerts": outcome.alerts,
            "dropped": outcome.dropped,
        }
    )


async def _run(ctx: Context, work: Callable[..., T], *args: Any) -> T:
    """Database work runs in the thread pool, never blocking the event loop (a SQLite
    writer may wait on another process's lock)."""
    return await run_in_threadpool(work, *args)


def _refused_value(exc: DataError) -> PayloadRejected:
    """The database refused a value it will always refuse (a NUL byte in text, say): the
    sender's fault, so a 4xx, not a 503 that would be retried for ever."""
    reason = str(exc.orig).splitlines()[0][:200] if exc.orig else "invalid value"
    return PayloadRejected(f"a value cannot be stored: {reason}", "body")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


async def _read(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadRejected(f"body is larger than {limit} bytes", "body", status_code=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadRejected(f"body is larger than {limit} bytes", "body", status_code=413)
        chunks.append(chunk)
    request.state.raw_body = b"".join(chunks)
    return request.state.raw_body  # type: ignore[no-any-return]


def _json(request: Request, raw: bytes) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise PayloadRejected(
            f"Content-Type must be application/json, not {media or 'missing'!r}",
            "content-type",
            status_code=415,
        )
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadRejected(f"malformed JSON: {str(exc)[:200]}", "body") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _safe(request: Request) -> str:
    raw: bytes = getattr(request.state, "raw_body", b"")
    return _ROUTING_KEY.sub(r"\1<hidden>\2", raw[:KEPT_BODY].decode("utf-8", "replace"))


async def _keep(request: Request, exc: WarroomError, body: str) -> None:
    """Keep what was refused, with its headers (secrets left out) and the reason."""
    ctx: Context = request.app.state.context
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HIDDEN_HEADERS}
    try:
        await run_in_threadpool(
            intake.reject,
            ctx,
            endpoint=request.url.path,
            status_code=exc.status_code,
            reason=exc.message,
            field=exc.field,
            headers=headers,
            body=body,
        )
    except SQLAlchemyError:
        log.exception("event=intake_reject_not_kept endpoint=%s", request.url.path)


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter | None = getattr(request.app.state, "intake_limiter", None)
    if limiter is None:
        ctx: Context = request.app.state.context
        limiter = RateLimiter(ctx.playbook.intake.rate_limit_per_minute)
        request.app.state.intake_limiter = limiter
    return limiter


def _pd(status_code: int, status: str, message: str, errors: list[str]) -> JSONResponse:
    return JSONResponse(
        {"status": status, "message": message, "errors": errors}, status_code=status_code
    )
