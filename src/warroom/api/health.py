"""Liveness, readiness and Prometheus metrics: no token needed."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from warroom.api.deps import ContextDep
from warroom.api.errors import RETRY_AFTER_SECONDS
from warroom.intake import inbox as intake_queue
from warroom.service.context import Context
from warroom.store.availability import database_message
from warroom.store.queries import open_and_declared_by_severity

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: ContextDep) -> JSONResponse:
    """Ready means able to write: a read-only database can serve reads but not declare."""
    try:
        ctx.db.probe_write()
    except Exception as exc:  # any driver error means "not ready"
        body = {"status": "unavailable", "database": database_message(exc)[:200]}
        return JSONResponse(body, 503, headers={"Retry-After": RETRY_AFTER_SECONDS})
    return JSONResponse({"status": "ok", "database": "reachable"})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class IncidentCollector(Collector):
    """Counts read from the database at scrape time, so every process reports the same.
    Drills are left out: an exercise is no incident on a dashboard or an alert rule."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        open_now = GaugeMetricFamily(
            "warroom_incidents_open", "Open incidents by severity", labels=["severity"]
        )
        declared = CounterMetricFamily(
            "warroom_incidents_declared", "Incidents declared, by severity", labels=["severity"]
        )
        counts = self._counts()
        for severity in sorted(self._ctx.playbook.severities):
            opened, total = counts.get(severity, (0, 0))
            open_now.add_metric([str(severity)], opened)
            declared.add_metric([str(severity)], total)
        yield open_now
        yield declared

    def _counts(self) -> dict[int, tuple[int, int]]:
        with self._ctx.db.reader() as session:  # a scrape never queues at SQLite's writer
            return open_and_declared_by_severity(session)


class WriterCollector(Collector):
    """On SQLite: how long this process's threads, by role, waited for and held the single
    writer (`Database.writer_time`). A request's alerts are answered once committed, so a
    writer held most of the time is where the intake's latency and throughput go."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def collect(self) -> Iterator[CounterMetricFamily]:
        if not self._ctx.db.is_sqlite:
            return
        waited = CounterMetricFamily(
            "warroom_sqlite_writer_wait_seconds",
            "Seconds threads waited for their turn at SQLite's single writer, by thread role",
            labels=["thread"],
        )
        held = CounterMetricFamily(
            "warroom_sqlite_writer_held_seconds",
            "Seconds threads held SQLite's single writer, by thread role",
            labels=["thread"],
        )
        for role, (seconds_waited, seconds_held) in sorted(self._ctx.db.writer_time().items()):
            waited.add_metric([role], seconds_waited)
            held.add_metric([role], seconds_held)
        yield waited
        yield held


class IntakeCollector(Collector):
    """The intake inbox at scrape time: what was accepted and is not yet applied."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def collect(self) -> Iterator[GaugeMetricFamily]:
        count, waited = intake_queue.backlog(self._ctx)
        yield GaugeMetricFamily(
            "warroom_intake_inbox_pending", "Accepted alert payloads not yet applied", count
        )
        yield GaugeMetricFamily(
            "warroom_intake_inbox_oldest_age_seconds",
            "How long the oldest payload not yet applied has waited",
            max(waited or 0.0, 0.0),
        )
