"""The FastAPI application: routers, error handlers, request metrics."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from warroom.api import health, incidents, intake, statuspage
from warroom.api.errors import install_error_handlers
from warroom.api.metrics import RequestMetrics
from warroom.service.context import Context
from warroom.web import ui


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(
        title="warroom",
        summary="Incident response: the playbook, run as code.",
        version="0.1.0",
    )
    app.state.context = ctx
    app.state.registry = CollectorRegistry()
    app.state.registry.register(health.IncidentCollector(ctx))
    install_error_handlers(app)
    app.add_middleware(RequestMetrics, registry=app.state.registry)
    for router in (health.router, incidents.router, intake.router, statuspage.router):
        app.include_router(router)
    ui.install(app)
    return app
