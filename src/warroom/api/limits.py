"""The door of every API and UI request: the caller first, then at most 1 MiB of body,
arriving in good time. Intake keeps its own limits (its POSTs never come through here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.errors import error_body

MAX_BODY = 1 << 20
BODY_TIMEOUT = 30.0
# A gate answers a request it refuses (before its body is read), or None to let it in.
Gate = Callable[[Scope], Awaitable[Response | None]]
# An answer sent before the whole body came leaves the rest unread: the connection ends
# there, or a client could keep it open by trickling the remainder.
CLOSE = {"Connection": "close"}


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        gates: Mapping[str, Gate],
        max_body: int = MAX_BODY,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.gates = gates
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = Body(receive, scope, self.max_body, anyio.current_time() + self.body_timeout)
        refusal = await self._refusal(scope, body)
        if refusal is not None:
            refusal.headers.update(body.closing())
            await refusal(scope, receive, send)
            return
        await self.app(scope, body.receive, body.closing_send(send))

    async def _refusal(self, scope: Scope, body: Body) -> Response | None:
        for prefix, gate in self.gates.items():
            if scope["path"].startswith(prefix) and (refusal := await gate(scope)):
                return refusal
        if body.declared is not None and body.declared > self.max_body:
            return _too_large(self.max_body)
        return None


class Body:
    """The request's body as the app reads it: counted, capped and on a deadline."""

    def __init__(self, receive: Receive, scope: Scope, limit: int, deadline: float) -> None:
        self._receive = receive
        self.limit = limit
        self.deadline = deadline
        self.declared = _content_length(scope)
        self.complete = not (self.declared or "transfer-encoding" in Headers(scope=scope))
        self.received = 0

    async def receive(self) -> Message:
        if self.complete:  # only the disconnect is left to wait for
            return await self._receive()
        with anyio.move_on_after(self.deadline - anyio.current_time()) as waited:
            message = await self._receive()
        if waited.cancelled_caught:
            raise HTTPException(408, "the request body did not arrive in time", CLOSE)
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise HTTPException(413, _too_large_message(self.limit), CLOSE)
            self.complete = not message.get("more_body", False)
        return message

    def closing(self) -> dict[str, str]:
        return {} if self.complete else CLOSE

    def closing_send(self, send: Send) -> Send:
        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not self.complete:
                MutableHeaders(scope=message).update(CLOSE)
            await send(message)

        return closing_send


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length", "")
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value) <= 18 else 10**18


def _too_large_message(limit: int) -> str:
    return f"the request body is over {limit} bytes"


def _too_large(limit: int) -> Response:
    return JSONResponse(error_body(_too_large_message(limit), "body"), status_code=413)
