"""Drive the app at the ASGI level, with a body that is produced only as it is read, so a
test can tell how much of a request the server took in before it answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.types import ASGIApp, Message

CHUNK = 64 * 1024


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    read: int = 0  # request body bytes the app took in


def send_request(
    app: ASGIApp,
    path: str,
    *,
    size: int,
    headers: dict[str, str] | None = None,
    chunked: bool = False,
    method: str = "POST",
) -> Exchange:
    """`size` bytes of body, declared by Content-Length unless `chunked`."""
    exchange = Exchange()
    sent = {"content-type": "application/json", **(headers or {})}
    sent["transfer-encoding" if chunked else "content-length"] = "chunked" if chunked else str(size)
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }

    async def receive() -> Message:
        if exchange.status:
            return {"type": "http.disconnect"}
        chunk = min(CHUNK, size - exchange.read)
        exchange.read += chunk
        return {"type": "http.request", "body": b"x" * chunk, "more_body": exchange.read < size}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]
            exchange.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            exchange.body += message.get("body", b"")

    anyio.run(app, scope, receive, send)
    return exchange
