"""The intake desk: every answer to an alert sender is decided here and nowhere else.

2xx only once the payload is committed to the intake inbox (the scheduler applies it to
incidents moments later: `service.intake_queue`), 503 when the database fails (senders retry
5xx), 4xx with the reason for what a sender got wrong (kept in the rejected list; a 401 only
counted, since anyone can send one), 429 past the playbook's per-key rate, and never a
500. Framework-free, so the ASGI fast path and the FastAPI routes share it (`api.intake`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from warroom.errors import Unauthorized, WarroomError, error_body
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.intake import pagerduty, rejections
from warroom.intake.common import PayloadRejected, read_json
from warroom.intake.group_commit import GroupCommit
from warroom.intake.inbox import Accepted
from warroom.intake.routing import RateLimiter
from warroom.service.context import Context

log = logging.getLogger("warroom.intake")

MAX_BODY = 10 * 1024 * 1024
HIDDEN_HEADERS = {"authorization", "cookie", "proxy-authorization"}
RATE_LIMITED = ("generic", "pagerduty")  # Alertmanager and Grafana batch by themselves
_ROUTING_KEY = re.compile(rb'("routing_key"\s*:\s*")[^"]*(")')

Reader = Callable[[int], Awaitable[bytes]]
"""Reads the request body, refusing (413) more than the given number of bytes."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Request:
    kind: str
    path: str
    headers: Mapping[str, str]  # names in lower case
    raw: bytes = b""


class IntakeDesk:
    """Answers intake requests for one app: key, rate, parsing, then the inbox."""

    def __init__(self, ctx: Context, unauthorized: Callable[[str], None] | None = None) -> None:
        self.ctx = ctx
        self.unauthorized = unauthorized or _uncounted  # counts a 401 by endpoint
        self.limiter = RateLimiter(ctx.playbook.intake.rate_limit_per_minute)
        self.inbox = GroupCommit(ctx)

    def close(self) -> None:
        self.inbox.close()

    async def answer(
        self, kind: str, path: str, headers: Mapping[str, str], read: Reader
    ) -> Answer:
        request = _Request(kind, path, headers)
        if kind == "pagerduty":
            return await self._event(request, read)
        return await self._webhook(request, read)

    async def _event(self, request: _Request, read: Reader) -> Answer:
        """PagerDuty Events API v2: routing_key in the body; answered as PagerDuty does. What
        is refused before its key is checked is counted as unauthorized, not kept."""
        found = None
        try:
            request.raw = await read(pagerduty.MAX_BODY)
            received = self.ctx.clock.now()
            body = _json(request)
            found = await self._authenticate(pagerduty.routing_key(body), "pagerduty")
            event = pagerduty.parse(body, received)
            key = intake_queue.replay_key(body, event.notification)
            if wait := self.limiter.hit(f"key:{found.id}", received):
                message = "Requests for this key were throttled"
                return Answer(429, {"status": "throttled", "message": message}, _retry(wait))
        except pagerduty.InvalidEvent as exc:
            await self._note(request, exc, keyed=found is not None)
            return _pd(400, "invalid event", exc.message, exc.errors)
        except WarroomError as exc:
            return await self._refused(request, exc, keyed=found is not None)
        except SQLAlchemyError:
            log.exception("event=intake_db_error endpoint=%s", request.path)
            return self._unavailable(request)
        raw = _without_routing_key(request.raw)
        accepted = Accepted(found.id, "pagerduty", received, key, raw, event.notification)
        if (refused := await self._accept(request, accepted)) is not None:
            return refused
        answer = {"status": "success", "message": "Event processed"}
        return Answer(202, answer | {"dedup_key": event.dedup_key})

    async def _webhook(self, request: _Request, read: Reader) -> Answer:
        """Alertmanager, Grafana and generic webhooks: the key as a Bearer token."""
        try:
            found = await self._authenticate(_bearer(request.headers), request.kind)
            received = self.ctx.clock.now()
            if request.kind in RATE_LIMITED and (
                wait := self.limiter.hit(f"key:{found.id}", received)
            ):
                message = "too many events for this key; retry later"
                return Answer(429, error_body(message, None), _retry(wait))
            request.raw = await read(MAX_BODY)
            rules = self.ctx.playbook.intake
            body = _json(request)
            notification = intake_queue.parse_payload(request.kind, body, received, None, rules)
            key = intake_queue.replay_key(body, notification)
        except WarroomError as exc:
            return await self._refused(request, exc)
        except SQLAlchemyError:
            log.exception("event=intake_db_error endpoint=%s", request.path)
            return self._unavailable(request)
        accepted = Accepted(found.id, request.kind, received, key, request.raw, notification)
        if (refused := await self._accept(request, accepted)) is not None:
            return refused
        return Answer(202, {"status": "accepted", "alerts": len(notification.alerts)})

    async def _authenticate(self, key: str | None, kind: str) -> integration_keys.IntegrationInfo:
        """A remembered key costs no thread hop; the rest go to the database."""
        found = integration_keys.remembered(self.ctx, key, kind)
        if found is not None:
            return found
        return await asyncio.to_thread(integration_keys.authenticate, self.ctx, key, kind)

    async def _accept(self, request: _Request, accepted: Accepted) -> Answer | None:
        """Commit to the inbox, sharing the commit with concurrent requests: None once
        committed, else the answer (401 when the key was revoked, in any process, since
        it was checked; 503 to retry)."""
        try:
            await self.inbox.put(accepted)
        except Unauthorized as exc:
            return await self._refused(request, exc)
        except SQLAlchemyError:
            log.exception("event=intake_db_error endpoint=%s", request.path)
            return self._unavailable(request)
        return None

    async def _refused(self, request: _Request, exc: WarroomError, keyed: bool = True) -> Answer:
        await self._note(request, exc, keyed)
        if request.kind != "pagerduty":
            return Answer(exc.status_code, error_body(exc.message, exc.field))
        status = "invalid event" if exc.status_code != 401 else "unauthorized"
        return _pd(exc.status_code, status, exc.message, [exc.message])

    async def _note(self, request: _Request, exc: WarroomError, keyed: bool) -> None:
        """A request without a valid key is counted; any other refusal is kept."""
        if exc.status_code == 401 or not keyed:
            self.unauthorized(request.path)
        else:
            await self._keep(request, exc)

    @staticmethod
    def _unavailable(request: _Request) -> Answer:
        message = "database unavailable; retry"
        if request.kind == "pagerduty":
            return _pd(503, "unavailable", message, ["database unavailable"])
        return Answer(503, error_body(message, None))

    async def _keep(self, request: _Request, exc: WarroomError) -> None:
        """Keep what was refused, with its headers (secrets left out) and the reason."""
        headers = {k: v for k, v in request.headers.items() if k not in HIDDEN_HEADERS}
        body = _without_routing_key(request.raw)[: rejections.KEPT_BODY].decode("utf-8", "replace")
        try:
            await asyncio.to_thread(
                self.ctx.transact,
                rejections.reject,
                endpoint=request.path,
                status_code=exc.status_code,
                reason=exc.message,
                field=exc.field,
                headers=headers,
                body=body,
            )
        except SQLAlchemyError:
            log.exception("event=intake_reject_not_kept endpoint=%s", request.path)


def _uncounted(endpoint: str) -> None:
    """Where no metric counts refusals (a desk built without an app's registry)."""


def too_large(limit: int) -> PayloadRejected:
    return PayloadRejected(f"body is larger than {limit} bytes", "body", status_code=413)


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def _json(request: _Request) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise PayloadRejected(
            f"Content-Type must be application/json, not {media or 'missing'!r}",
            "content-type",
            status_code=415,
        )
    try:
        body = read_json(request.raw)
    except (ValueError, RecursionError) as exc:
        raise PayloadRejected(f"malformed JSON: {str(exc)[:200]}", "body") from None
    if b"\\u0000" in request.raw and _holds_nul(body):
        raise PayloadRejected("a value cannot be stored: text holds a NUL (\\u0000)", "body")
    return body


def _holds_nul(value: Any) -> bool:
    """PostgreSQL stores no NUL in text: refused here, as the sender's fault, on every
    database alike (checked only when the raw body has the escape at all)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _without_routing_key(raw: bytes) -> bytes:
    """Neither the inbox nor the rejected list keeps an integration key."""
    return _ROUTING_KEY.sub(_hidden, raw)


def _hidden(found: re.Match[bytes]) -> bytes:
    """A function rather than a template, which `re` expands anew for every match."""
    return found[1] + b"<hidden>" + found[2]


def _retry(wait: int) -> dict[str, str]:
    return {"Retry-After": str(wait)}


def _pd(status_code: int, status: str, message: str, errors: list[str]) -> Answer:
    return Answer(status_code, {"status": status, "message": message, "errors": errors})
