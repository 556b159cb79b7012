"""Request latency for Prometheus, as plain ASGI middleware (no per-request task or copy),
and the count of intake requests refused for want of a valid integration key."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def request_latency(registry: CollectorRegistry) -> Histogram:
    """The one latency histogram of an app, shared by every `RequestMetrics` in front of it."""
    return Histogram(
        "warroom_http_request_duration_seconds",
        "HTTP request latency by route",
        ["method", "route", "status"],
        registry=registry,
    )


class IntakeUnauthorized:
    """Counts intake requests with no or a bad integration key, by endpoint. They are
    counted rather than kept in the rejected list: anyone can send them, and keeping each
    would push out the payloads worth inspecting."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._counter = Counter(
            "warroom_intake_unauthorized",
            "Intake requests refused for no, a bad or a revoked integration key, by endpoint",
            ["endpoint"],
            registry=registry,
        )

    def __call__(self, endpoint: str) -> None:
        self._counter.labels(endpoint).inc()


class RequestMetrics:
    def __init__(self, app: ASGIApp, latency: Histogram) -> None:
        self.app = app
        self.latency = latency
        # each (method, route, status)'s own histogram, kept: `labels()` finds it under a
        # lock and copies its values to text on every call
        self._series: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            self._series_of(scope["method"], route, status).observe(elapsed)

    def _series_of(self, method: str, route: str, status: int) -> Histogram:
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[method, route, status] = self.latency.labels(
                method, route, str(status)
            )
        return series
