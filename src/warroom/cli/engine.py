"""`warroom worker` (scheduler and delivery alone) and `warroom pages REF`."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from types import FrameType

import typer

from warroom.cli.output import fail, print_listing, short_time
from warroom.cli.state import local_context, settings
from warroom.service.context import Context


def checked_context() -> Context:
    """Migrate and load the playbook (refused with its path), then check every channel URL."""
    from warroom.notify.delivery import channel_problems

    ctx = local_context(migrate=True)
    problems = channel_problems(ctx.playbook)
    if problems:
        source = ctx.settings.playbook_path or "(built-in playbook)"
        fail(f"playbook {source}: " + "; ".join(str(p) for p in problems))
    return ctx


def settle_heap() -> None:
    """For a long-running process, once started: what start-up built (modules, the app,
    the playbook, SQLAlchemy's mappers) lives as long as the process, so the collector
    stops scanning it on every full collection."""
    gc.freeze()


def worker() -> None:
    """Run the scheduler only (scale-out): escalations, reminders, delivery and applying
    the alert intake inbox. SIGTERM/SIGINT stop it cleanly."""
    from warroom.logs import configure
    from warroom.scheduler import Scheduler

    ctx = checked_context()  # refusals go to stderr before logging takes it over
    configure()
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("warroom.scheduler").info("signal %d: stopping after this batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    ctx.db.expect_senders_elsewhere()  # on SQLite, `serve` commits the requests
    scheduler = Scheduler(ctx)
    settle_heap()
    scheduler.run(stop)
    ctx.db.dispose()


def pages(
    reference: str = typer.Argument(..., help="Incident reference."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the messages queued for an incident, with delivery state and attempts."""
    from warroom.cli.client import ApiClient

    rows = ApiClient(settings()).get(f"/api/v1/incidents/{reference}/pages")
    print_listing(
        rows,
        as_json,
        f"Pages for {reference}",
        ["created", "kind", "person", "method", "address", "state", "attempts", "error"],
        [
            [
                short_time(r["created_at"]), r["kind"], r["person"], r["method"], r["address"],
                r["state"], r["attempts"], r["error"] or "",
            ]
            for r in rows
        ],
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(pages)
