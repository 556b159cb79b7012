"""Bodies: the caller is checked before the body is read, and no body is over 1 MiB or slow."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.security.asgi import CHUNK, send_request
from tests.server import running_server
from warroom.api.app import create_app
from warroom.api.limits import MAX_BODY
from warroom.service.context import Context

INCIDENTS = "/api/v1/incidents"
HUGE = 200 * 1024 * 1024


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_200_mb_body_without_a_token_is_refused_before_it_is_read(
    ctx: Context, chunked: bool
) -> None:
    answer = send_request(create_app(ctx), INCIDENTS, size=HUGE, chunked=chunked)
    assert answer.status == 401
    assert answer.read == 0
    assert answer.headers["connection"] == "close"


def test_a_body_over_1_mib_is_refused_by_its_content_length_before_it_is_read(
    ctx: Context, tokens: dict[str, str]
) -> None:
    auth = {"authorization": f"Bearer {tokens['responder']}"}
    answer = send_request(create_app(ctx), INCIDENTS, size=MAX_BODY + 1, headers=auth)
    assert answer.status == 413
    assert answer.read == 0


def test_a_chunked_body_is_counted_as_it_arrives_and_refused_past_1_mib(
    ctx: Context, tokens: dict[str, str]
) -> None:
    auth = {"authorization": f"Bearer {tokens['responder']}"}
    answer = send_request(create_app(ctx), INCIDENTS, size=HUGE, headers=auth, chunked=True)
    assert answer.status == 413
    assert answer.read <= MAX_BODY + CHUNK
    assert b'"error"' in answer.body


def test_a_body_of_1_mib_is_read_and_judged_on_its_content(api: TestClient) -> None:
    answer = api.post(INCIDENTS, json={"title": "API down", "severity": 1, "summary": "x" * 10})
    assert answer.status_code == 201
    padded = b'{"title": "API down", "severity": 1}' + b" " * (MAX_BODY - 40)
    answer = api.post(INCIDENTS, content=padded, headers={"Content-Type": "application/json"})
    assert answer.status_code == 201


def test_malformed_json_without_a_token_is_a_401_not_a_400(app_client: TestClient) -> None:
    answer = app_client.post(
        INCIDENTS, content=b'{"title": ', headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["field"] == "token"


def test_a_revoked_or_unknown_token_is_refused_before_the_body_is_read(ctx: Context) -> None:
    auth = {"authorization": "Bearer wr_not-a-token"}
    answer = send_request(create_app(ctx), INCIDENTS, size=HUGE, headers=auth)
    assert (answer.status, answer.read) == (401, 0)


def test_a_viewer_token_still_gets_a_403_for_a_change(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    answer = app_client.post(
        INCIDENTS,
        json={"title": "API down", "severity": 1},
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
    )
    assert answer.status_code == 403


def test_a_ui_form_post_without_a_sign_in_is_sent_to_sign_in_before_its_body_is_read(
    ctx: Context,
) -> None:
    answer = send_request(create_app(ctx), "/ui/incidents", size=HUGE)
    assert answer.status == 303
    assert answer.headers["location"] == "/ui/login"
    assert answer.read == 0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_200_mb_sign_in_form_is_refused_at_1_mib(ctx: Context, chunked: bool) -> None:
    own_page = {
        "host": "127.0.0.1:8080",
        "origin": "http://127.0.0.1:8080",
        "content-type": "application/x-www-form-urlencoded",
    }
    answer = send_request(
        create_app(ctx), "/ui/login", size=HUGE, chunked=chunked, headers=own_page
    )
    assert answer.status == 413
    assert answer.read <= MAX_BODY + CHUNK


def test_a_client_that_sends_1_byte_of_a_1000_byte_body_is_answered_408_and_let_go(
    ctx: Context, tokens: dict[str, str]
) -> None:
    with running_server(ctx, create_app(ctx, body_timeout=0.5)) as base, _connect(base) as sock:
        sock.sendall(
            b"POST /api/v1/incidents HTTP/1.1\r\nHost: warroom\r\n"
            b"Authorization: Bearer " + tokens["responder"].encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        started = time.monotonic()
        answer = _read_until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < 5


def test_a_200_mb_post_without_a_token_leaves_the_servers_memory_as_it_was(ctx: Context) -> None:
    with running_server(ctx) as base:
        with _connect(base) as warm_up:  # the first request builds the app's middleware
            warm_up.sendall(b"GET /healthz HTTP/1.1\r\nHost: warroom\r\nConnection: close\r\n\r\n")
            _read_until_closed(warm_up)
        idle = _rss()
        peak = _PeakRss()
        with peak, _connect(base) as sock:
            sock.sendall(
                b"POST /api/v1/incidents HTTP/1.1\r\nHost: warroom\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % HUGE
            )
            _send_until_refused(sock, HUGE)
            answer = _read_until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 401 ")
        assert peak.value - idle < 20 * 1024 * 1024


@contextmanager
def _connect(base: str) -> Iterator[socket.socket]:
    url = urlsplit(base)
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=10) as sock:
        yield sock


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _send_until_refused(sock: socket.socket, size: int) -> None:
    chunk = b"x" * CHUNK
    sent = 0
    try:
        while sent < size:
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:  # the server answered and closed: the rest was never read
        pass


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


class _PeakRss:
    """The process's largest resident size while the block runs (sampled)."""

    def __init__(self) -> None:
        self.value = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.value = max(self.value, _rss())

    def __enter__(self) -> _PeakRss:
        self.value = _rss()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.value = max(self.value, _rss())
