"""A loopback stand-in for Slack's Web API: Slack itself cannot be reached from here.

A real HTTP server on 127.0.0.1 (a port chosen at run time, its own thread) that the real
`slack_sdk` WebClient talks to through `chat.slack.api_url`. It records every call and
answers as Slack's documentation says: `{"ok": true, ...}`, `{"ok": false, "error":
"name_taken"}`, `channel_not_found`, `invalid_auth`, and HTTP 429 with `Retry-After`.
Failures are scripted per method (`fail`), or for every call (`down`).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TOKEN = "xoxb-test-token"
Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Channel:
    id: str
    name: str
    topic: str = ""
    members: list[str] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    bookmarks: list[dict[str, str]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    archived: bool = False


class SlackStandIn:
    """The workspace's state and the calls made to it; `url` is the Web API base."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.users = users or {}  # handle -> user id
        self.calls: list[Call] = []
        self.channels: dict[str, Channel] = {}
        self.taken: set[str] = set()
        self.scripted: dict[str, list[Answer]] = {}
        self.down = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, method: str, error: str = "", *, status: int = 200, retry_after: int = 0,
             times: int = 1) -> None:  # fmt: skip
        """The next `times` calls of `method` answer this error (429: with Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        body = {"ok": False, "error": error or ("ratelimited" if status == 429 else "fatal_error")}
        self.scripted.setdefault(method, []).extend([(status, body, headers)] * times)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def by_name(self, name: str) -> Channel:
        return next(c for c in self.channels.values() if c.name == name)

    # -- the methods, as Slack answers them ------------------------------------------------

    def answer(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        with self._lock:
            self.calls.append(Call(method, args, token))
            if self.down:
                return 503, {"ok": False, "error": "service_unavailable"}, {}
            if self.scripted.get(method):
                return self.scripted[method].pop(0)
            if token != TOKEN:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
                self, "_" + method.replace(".", "_"), None
            )
            if handler is None:
                return 200, {"ok": False, "error": "unknown_method"}, {}
            return 200, handler(args), {}

    def _conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args["name"])
        if name in self.taken or any(c.name == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        channel = Channel(id=f"C{next(self._ids):08d}", name=name)
        self.channels[channel.id] = channel
        return {"ok": True, "channel": {"id": channel.id, "name": name, "is_channel": True}}

    def _conversations_setTopic(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._find(args.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        channel.topic = str(args["topic"])
        return {"ok": True, "channel": {"id": channel.id, "topic": {"value": channel.topic}}}

    def _conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._find(args.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        users = str(args["users"]).split(",")
        if any(u not in self.users.values() for u in users):
            return {"ok": False, "error": "user_not_found"}
        if all(u in channel.members for u in users):
            return {"ok": False, "error": "already_in_channel"}
        channel.members += [u for u in users if u not in channel.members]
        return {"ok": True, "channel": {"id": channel.id}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        target = str(args.get("channel", ""))
        channel = self._find(target)
        if channel is None and target.startswith("#"):  # a public channel by its name
            channel = self.channels.setdefault(target, Channel(id=target, name=target[1:]))
        if channel is None or channel.archived:
            return {"ok": False, "error": "channel_not_found" if channel is None else "is_archived"}
        ts = f"1700000000.{next(self._ids):06d}"
        message = {"ts": ts, "text": args.get("text", ""), "blocks": args.get("blocks")}
        channel.messages.append(message)
        return {"ok": True, "channel": channel.id, "ts": ts, "message": message}

    def _pins_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._find(args.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if args["timestamp"] in channel.pins:
            return {"ok": False, "error": "already_pinned"}
        channel.pins.append(str(args["timestamp"]))
        return {"ok": True}

    def _bookmarks_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._find(args.get("channel_id"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        bookmark = {"title": str(args["title"]), "link": str(args["link"]), "type": args["type"]}
        channel.bookmarks.append(bookmark)
        return {"ok": True, "bookmark": bookmark}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        members = [
            {"id": uid, "name": handle, "profile": {"display_name": handle}}
            for handle, uid in self.users.items()
        ]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _conversations_archive(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._find(args.get("channel"))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel.archived:
            return {"ok": False, "error": "already_archived"}
        channel.archived = True
        return {"ok": True}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("users", ""))
        if user not in self.users.values():
            return {"ok": False, "error": "user_not_found"}
        channel = self.channels.setdefault(f"D{user}", Channel(id=f"D{user}", name=user))
        return {"ok": True, "channel": {"id": channel.id}}

    def _find(self, channel: object) -> Channel | None:
        return self.channels.get(str(channel)) if channel else None


def _handler(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            split = urlsplit(self.path)
            method = split.path.rsplit("/", 1)[-1]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            args: dict[str, Any] = dict(parse_qsl(split.query))
            if "json" in (self.headers.get("Content-Type") or ""):
                args.update(json.loads(raw or "{}"))
            else:
                args.update(parse_qsl(raw))
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") if auth else args.pop("token", None)
            status, body, headers = standin.answer(method, args, token)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
