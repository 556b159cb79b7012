"""The FastAPI application: routers, error handlers, request metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from warroom.api import ack, health, incidents, intake, post, statuspage
from warroom.api.errors import install_error_handlers
from warroom.api.intake import IntakeFastPath
from warroom.api.intake_desk import IntakeDesk
from warroom.api.metrics import RequestMetrics
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
    app.state.registry.register(health.IntakeCollector(ctx))
    install_error_handlers(app)
    app.state.intake_desk = IntakeDesk(ctx)
    app.add_middleware(IntakeFastPath, desk=app.state.intake_desk)
    app.add_middleware(RequestMetrics, registry=app.state.registry)  # outermost: sees all
    routers = (health.router, incidents.router, intake.router, post.router, statuspage.router)
    for router in (*routers, ack.router):
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
    app.state.intake_desk.close()
    if running is not None:
        thread, stop = running
        stop.set()
        thread.join(timeout=30)
