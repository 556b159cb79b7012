"""The FastAPI application: routers, error handlers, request metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.types import ASGIApp, Receive, Scope, Send

from warroom.api import ack, health, incidents, post, reports, schedules, statuspage
from warroom.api import chat as chat_routes
from warroom.api import checklist as checklist_routes
from warroom.api import storm as storm_routes
from warroom.api.deps import bearer_gate
from warroom.api.errors import install_error_handlers
from warroom.api.limits import BODY_TIMEOUT, RequestLimits
from warroom.api.metrics import IntakeUnauthorized, RequestMetrics, request_latency
from warroom.intake import routes as intake
from warroom.intake.desk import IntakeDesk
from warroom.intake.routes import IntakeEndpoint, intake_kind
from warroom.service.context import Context
from warroom.web import live, ui
from warroom.web import schedules as schedule_pages


class WarroomApp(FastAPI):
    """FastAPI, except that POSTs to the intake paths go to `intake` ahead of FastAPI's own
    per-request layers (its telemetry check, body limit and error middleware), which every
    alert sender's request would otherwise pass through (bench/MEASUREMENTS.md)."""

    intake: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.intake is not None and intake_kind(scope) is not None:
            await self.intake(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(ctx: Context, *, body_timeout: float = BODY_TIMEOUT) -> WarroomApp:
    app = WarroomApp(
        title="warroom",
        summary="Incident response: the playbook, run as code.",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.context = ctx
    app.state.registry = CollectorRegistry()
    app.state.registry.register(health.IncidentCollector(ctx))
    app.state.registry.register(health.IntakeCollector(ctx))
    app.state.registry.register(health.WriterCollector(ctx))
    install_error_handlers(app)
    app.state.intake_desk = IntakeDesk(ctx, IntakeUnauthorized(app.state.registry))
    latency = request_latency(app.state.registry)
    app.intake = RequestMetrics(IntakeEndpoint(app.state.intake_desk), latency)
    gates = {"/api/v1/": bearer_gate, "/ui/": ui.signed_in_gate}
    app.add_middleware(RequestLimits, gates=gates, body_timeout=body_timeout)
    app.add_middleware(RequestMetrics, latency=latency)  # outermost: sees all the rest
    routers = (health.router, incidents.router, intake.router, post.router, statuspage.router)
    for router in (*routers, reports.router, ack.router):
        app.include_router(router)
    app.include_router(checklist_routes.router)
    app.include_router(schedules.router)
    app.include_router(schedules.feeds)
    app.include_router(storm_routes.router)
    app.include_router(chat_routes.router)
    ui.install(app)
    app.include_router(schedule_pages.router)
    app.include_router(live.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """`warroom serve` runs the scheduler in a thread when `app.state.run_scheduler` is true."""
    running = None
    if getattr(app.state, "run_scheduler", False):
        from warroom.scheduler import start_in_thread

        running = start_in_thread(app.state.context)
    yield
    app.state.intake_desk.close()
    if running is not None:
        thread, stop = running
        stop.set()
        thread.join(timeout=30)
