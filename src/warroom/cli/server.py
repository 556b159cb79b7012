"""`warroom serve`: the API, web UI, status page and intake in one process."""

from __future__ import annotations

import typer
import uvicorn

from warroom.cli.engine import checked_context, settle_heap
from warroom.cli.state import override
from warroom.logs import configure as configure_logging


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    no_scheduler: bool = typer.Option(
        False,
        "--no-scheduler",
        help="API only; run `warroom worker` for escalations and to apply accepted alerts.",
    ),
) -> None:
    """Run warroom: migrate the database, then serve everything on HOST:PORT."""
    from warroom.api.app import create_app

    override(url=None)
    configure_logging()
    ctx = checked_context()
    app = create_app(ctx)
    app.state.run_scheduler = not no_scheduler
    settle_heap()
    # log_config=None: uvicorn's lines go through our handler (key=value, ack tokens masked);
    # the graceful-shutdown bound keeps open incident pages' streams from holding a stop
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


SHUTDOWN_GRACE_SECONDS = 10


def register(app: typer.Typer) -> None:
    app.command()(serve)
