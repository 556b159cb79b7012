"""The monthly incident review: its figures from `store.report_queries`, business-hours
SLAs counted on their own clock, trends against the three months before. Drills are left
out of every figure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from warroom.core.business_hours import clock_for
from warroom.core.metrics import trend
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.service.reports import render as report_render
from warroom.store import report_queries as queries
from warroom.store.models import Incident

EMPTY = {"median": None, "p90": None, "mean": None}
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The review also looks at the months around the one asked for: they must be dates too.
FIRST_YEAR, LAST_YEAR = 1970, 9998
METRICS = {
    "time_to_acknowledge": (Incident.declared_at, Incident.acknowledged_at),
    "time_to_resolve": (Incident.declared_at, Incident.resolved_at),
    "time_to_detect": (Incident.detected_at, Incident.declared_at),
}


def month_bounds(month: str, timezone: str = "UTC") -> tuple[datetime, datetime]:
    """The month's first and next month's first instant (UTC), months as the playbook's
    timezone counts them: the review made at its midnight on the 1st covers that month."""
    start = month_start(month, 0, timezone)
    return start, month_start(month, 1, timezone)


def month_start(month: str, shift: int, timezone: str) -> datetime:
    """The first instant (UTC) of the month `shift` months after `month`."""
    match = MONTH.match(month or "")
    if not match:
        raise InvalidInput(f"month {month!r} is not YYYY-MM", "month")
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise InvalidInput(f"month {month} is outside {FIRST_YEAR}-01 to {LAST_YEAR}-12", "month")
    index = int(match[1]) * 12 + int(match[2]) - 1 + shift
    local = datetime(index // 12, index % 12 + 1, 1, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def _sla(
    session: Session, ctx: Context, where: ColumnElement[bool], now: datetime
) -> dict[str, Any]:
    """Met and breached per severity; a `business_hours_only` severity's on business time."""
    business = [n for n, s in ctx.playbook.severities.items() if s.business_hours_only]
    limits = {
        name: {n: getattr(s, attribute).total_seconds() for n, s in ctx.playbook.severities.items()}
        for name, attribute in SLA_LIMITS.items()
    }
    wall_time = and_(where, Incident.severity.not_in(business))
    result = queries.sla_on_wall_time(session, limits, wall_time, now)
    on_business_time = _sla_on_business_time(
        session, ctx, and_(where, Incident.severity.in_(business)), now
    )
    for name, figures in on_business_time.items():
        result[name] |= figures
    return result


SLA_LIMITS = {"response": "response_time", "resolution": "resolution_target"}


def _sla_on_business_time(
    session: Session, ctx: Context, where: ColumnElement[bool], now: datetime
) -> dict[str, Any]:
    """The same figures counted in Python: business time has no SQL of its own, and
    business-hours incidents are few."""
    result: dict[str, Any] = {name: {} for name in SLA_LIMITS}
    for severity, declared, *ends in queries.sla_rows(session, where):
        clock = clock_for(ctx.playbook, severity)
        for (name, attribute), end in zip(SLA_LIMITS.items(), ends, strict=True):
            limit = getattr(ctx.playbook.severities[severity], attribute)
            counts = result[name].setdefault(str(severity), {"met": 0, "breached": 0})
            if clock.elapsed(declared, end or now) > limit:
                counts["breached"] += 1
            elif end is not None:
                counts["met"] += 1
    return result


def _trends(session: Session, month: str, timezone: str, current: dict[str, Any]) -> dict[str, Any]:
    previous = []
    for back in (3, 2, 1):
        begin, end = month_start(month, -back, timezone), month_start(month, 1 - back, timezone)
        figures = queries.headline(session, queries.in_month(begin, end))
        label = begin.astimezone(ZoneInfo(timezone))
        previous.append({"month": f"{label:%Y-%m}", **figures})
    changes = {}
    for key in ("total", "time_to_acknowledge_median", "time_to_resolve_median"):
        known = [p[key] for p in previous if p[key] is not None]
        baseline = sum(known) / len(known) if known else None
        changes[f"{key}_change_pct"] = trend(current[key], baseline)
    return {"previous": previous, **changes}


def monthly_report(ctx: Context, session: Session, month: str) -> dict[str, Any]:
    start, end = month_bounds(month, ctx.playbook.timezone)
    now = ctx.clock.now()
    where = queries.in_month(start, end)
    keys = [str(n) for n in sorted(ctx.playbook.severities)]
    by_severity = queries.counts(session, Incident.severity, where)
    by_service = queries.by_service(session, where)
    headline = queries.headline(session, where)
    report: dict[str, Any] = {
        "month": month,
        "generated_at": now.isoformat(),
        "incidents": {
            "total": headline["total"],
            "by_severity": {
                str(n): by_severity.get(str(n), 0) for n in sorted(ctx.playbook.severities)
            },
            "by_service": by_service,
            "by_source": queries.counts(session, Incident.source, where),
        },
    }
    for name, (begin, finish) in METRICS.items():
        found = queries.summaries(session, where, begin, finish)
        report[name] = {key: found.get(key, dict(EMPTY)) for key in keys}
    sla = _sla(session, ctx, where, now)
    report["sla"] = {
        name: {key: found.get(key, {"met": 0, "breached": 0}) for key in keys}
        for name, found in sla.items()
    }
    report["action_items"] = queries.action_items(session, where, now)
    report["trends"] = _trends(session, month, ctx.playbook.timezone, headline)
    report["top_services"] = [
        {"service": s, "incidents": n} for s, n in list(by_service.items())[:5]
    ]
    return report


def month_incidents(ctx: Context, session: Session, month: str) -> list[dict[str, Any]]:
    """The month's incidents (drills left out), one row each, for the CSV export."""
    start, end = month_bounds(month, ctx.playbook.timezone)
    return [_csv_row(i) for i in queries.incidents_in(session, queries.in_month(start, end))]


def _csv_row(incident: Incident) -> dict[str, Any]:
    def span(a: datetime | None, b: datetime | None) -> float | None:
        return None if a is None or b is None else (b - a).total_seconds()

    return {
        "reference": incident.reference,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "source": incident.source,
        "services": " ".join(incident.services or []),
        "detected_at": incident.detected_at,
        "declared_at": incident.declared_at,
        "acknowledged_at": incident.acknowledged_at,
        "resolved_at": incident.resolved_at,
        "time_to_detect": span(incident.detected_at, incident.declared_at),
        "time_to_acknowledge": span(incident.declared_at, incident.acknowledged_at),
        "time_to_resolve": span(incident.declared_at, incident.resolved_at),
    }


def monthly_rendered(ctx: Context, session: Session, month: str, fmt: str) -> str:
    if fmt == "csv":
        return report_render.to_csv(month_incidents(ctx, session, month))
    report = monthly_report(ctx, session, month)
    if fmt == "md":
        return report_render.to_markdown(report, ctx.playbook)
    if fmt == "html":
        return report_render.to_html(report, ctx.playbook)
    raise InvalidInput("format is json, md, html or csv", "format")
