"""The FastAPI application: routers, error handlers, request metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Histogram

from warroom.api import ack, health, incidents
from warroom.api.errors import install_error_handlers
from warroom.service.context import Context
from warroom.web import ui


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(
        title="warroom",
        summary="Incident response: the playbook, run as code.",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.context = ctx
    app.state.registry = CollectorRegistry()
    app.state.registry.register(health.IncidentCollector(ctx))
    install_error_handlers(app)
    _install_request_metrics(app)
    for router in (health.router, incidents.router, ack.router):
        app.include_router(router)
    ui.install(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """`warroom serve` runs the scheduler in a thread when `app.state.run_scheduler` is true."""
    running = None
    if getattr(app.state, "run_scheduler", False):
        from warroom.scheduler import start_in_thread

        running = start_in_thread(app.state.context)
    yield
    if running is not None:
        thread, stop = running
        stop.set()
        thread.join(timeout=30)


def _install_request_metrics(app: FastAPI) -> None:
    latency = Histogram(
        "warroom_http_request_duration_seconds",
        "HTTP request latency by route",
        ["method", "route", "status"],
        registry=app.state.registry,
    )

    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        latency.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
