"""`warroom serve`: the API, web UI, status page and intake in one process, or in N serving
processes on one port with the scheduler still running once (`--workers N`)."""

from __future__ import annotations

import threading
from typing import Any

import typer
import uvicorn

from warroom.cli.engine import checked_context, settle_heap
from warroom.cli.state import local_context, override
from warroom.logs import configure as configure_logging
from warroom.service.context import Context

SHUTDOWN_GRACE_SECONDS = 10
SCHEDULER_STOP_SECONDS = 30  # a batch in flight finishes first
# log_config=None: uvicorn's lines go through our handler (key=value, ack tokens masked);
# the graceful-shutdown bound keeps open incident pages' streams from holding a stop
UVICORN_OPTIONS: dict[str, Any] = {
    "log_level": "info",
    "access_log": False,
    "log_config": None,
    "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
}


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    no_scheduler: bool = typer.Option(
        False,
        "--no-scheduler",
        help="API only; run `warroom worker` for escalations and to apply accepted alerts.",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Serving processes sharing the port, for hosts with more cores; the scheduler "
        "still runs once, in the process that starts them.",
    ),
) -> None:
    """Run warroom: migrate the database, then serve everything on HOST:PORT."""
    override(url=None)
    configure_logging()
    ctx = checked_context()
    if workers > 1:
        _serve_in_processes(ctx, host, port, workers, scheduler=not no_scheduler)
        return
    # the app and the scheduler are imported where they run: every other command's start-up
    # would otherwise load FastAPI and every route
    from warroom.api.app import create_app

    app = create_app(ctx)
    app.state.run_scheduler = not no_scheduler
    settle_heap()
    uvicorn.run(app, host=host, port=port, **UVICORN_OPTIONS)


def _serve_in_processes(
    ctx: Context, host: str, port: int, workers: int, *, scheduler: bool
) -> None:
    """uvicorn's supervisor starts `workers` processes, each building the app from the same
    environment (`serving_app`); this process runs the scheduler beside the supervisor."""
    from warroom.scheduler import Scheduler

    ctx.db.expect_senders_elsewhere()  # on SQLite: the serving processes commit requests
    stop = threading.Event()
    running = threading.Thread(
        target=Scheduler(ctx).run, args=(stop,), name="warroom-scheduler", daemon=True
    )
    if scheduler:
        running.start()
    try:
        uvicorn.run(
            "warroom.cli.server:serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **UVICORN_OPTIONS,
        )
    finally:
        stop.set()
        if running.is_alive():
            running.join(SCHEDULER_STOP_SECONDS)


def serving_app() -> object:
    """One serving process of `serve --workers N`: the app on the environment's settings,
    with no scheduler of its own (the parent runs it; it has migrated the database)."""
    from warroom.api.app import create_app

    configure_logging()
    app = create_app(local_context(migrate=False))
    app.state.run_scheduler = False
    settle_heap()
    return app


def register(app: typer.Typer) -> None:
    app.command()(serve)
