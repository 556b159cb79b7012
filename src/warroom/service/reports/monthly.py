"""The monthly incident review and the drill scores, aggregated in SQL.

Every figure of the monthly review is one grouped query over the month's incidents (the
per-incident times are columns, so the timeline is never scanned). Percentiles use the
nearest-rank rule of `core.metrics` through window functions, which SQLite and PostgreSQL
both have. Drills are left out of every figure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, func, literal, select, true
from sqlalchemy.orm import Session

from warroom.core.business_hours import clock_for
from warroom.core.incident import EventKind
from warroom.core.metrics import score_drill, trend
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.service.reports import render as report_render
from warroom.store.engine_models import EscalationStep
from warroom.store.models import Incident, TimelineEvent, UTCDateTime
from warroom.store.post_models import ActionItem

EMPTY = {"median": None, "p90": None, "mean": None}
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The review also looks at the months around the one asked for: they must be dates too.
FIRST_YEAR, LAST_YEAR = 1970, 9998
METRICS = {
    "time_to_acknowledge": (Incident.declared_at, Incident.acknowledged_at),
    "time_to_resolve": (Incident.declared_at, Incident.resolved_at),
    "time_to_detect": (Incident.detected_at, Incident.declared_at),
}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    match = MONTH.match(month or "")
    if not match:
        raise InvalidInput(f"month {month!r} is not YYYY-MM", "month")
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise InvalidInput(f"month {month} is outside {FIRST_YEAR}-01 to {LAST_YEAR}-12", "month")
    start = datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
    return start, shift_month(start, 1)


def shift_month(start: datetime, months: int) -> datetime:
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def seconds(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    """`end - start` in seconds, in the database's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start).cast(Float)


def _in_month(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(
        Incident.drill.is_(False),
        Incident.declared_at >= literal(start, UTCDateTime()),
        Incident.declared_at < literal(end, UTCDateTime()),
    )


def _summaries(
    session: Session, where: ColumnElement[bool], start: Any, end: Any
) -> dict[str, Any]:
    duration = seconds(session, start, end).label("d")
    ranked = (
        select(
            Incident.severity.label("sev"),
            duration,
            func.row_number().over(partition_by=Incident.severity, order_by=duration).label("rn"),
            func.count().over(partition_by=Incident.severity).label("n"),
        )
        .where(where, end.is_not(None), start.is_not(None))
        .subquery()
    )
    statement = select(
        ranked.c.sev,
        func.max(case((ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.d))),
        func.max(case((ranked.c.rn == (ranked.c.n * 9 + 9) // 10, ranked.c.d))),
        func.avg(ranked.c.d),
    ).group_by(ranked.c.sev)
    return {
        str(sev): {"median": _round(median), "p90": _round(p90), "mean": _round(mean)}
        for sev, median, p90, mean in session.execute(statement)
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _sla(
    session: Session, ctx: Context, where: ColumnElement[bool], now: datetime
) -> dict[str, Any]:
    """Met and breached per severity; a `business_hours_only` severity's on business time."""
    business = [n for n, s in ctx.playbook.severities.items() if s.business_hours_only]
    result = _sla_on_wall_time(session, ctx, and_(where, Incident.severity.not_in(business)), now)
    on_business_time = _sla_on_business_time(
        session, ctx, and_(where, Incident.severity.in_(business)), now
    )
    for name, figures in on_business_time.items():
        result[name] |= figures
    return result


SLA_ENDS = (
    ("response", Incident.acknowledged_at, "response_time"),
    ("resolution", Incident.resolved_at, "resolution_target"),
)


def _sla_on_wall_time(
    session: Session, ctx: Context, where: ColumnElement[bool], now: datetime
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, end, attribute in SLA_ENDS:
        limits = {
            n: getattr(s, attribute).total_seconds() for n, s in ctx.playbook.severities.items()
        }
        limit = case(limits, value=Incident.severity)
        elapsed = seconds(
            session, Incident.declared_at, func.coalesce(end, literal(now, UTCDateTime()))
        )
        met = func.sum(case((and_(end.is_not(None), elapsed <= limit), 1), else_=0))
        breached = func.sum(case((elapsed > limit, 1), else_=0))
        rows = session.execute(
            select(Incident.severity, met, breached).where(where).group_by(Incident.severity)
        )
        result[name] = {
            str(sev): {"met": int(m or 0), "breached": int(b or 0)} for sev, m, b in rows
        }
    return result


def _sla_on_business_time(
    session: Session, ctx: Context, where: ColumnElement[bool], now: datetime
) -> dict[str, Any]:
    """The same figures counted in Python: business time has no SQL of its own, and
    business-hours incidents are few."""
    rows = session.execute(
        select(
            Incident.severity,
            Incident.declared_at,
            Incident.acknowledged_at,
            Incident.resolved_at,
        ).where(where)
    ).all()
    result: dict[str, Any] = {name: {} for name, _, _ in SLA_ENDS}
    for severity, declared, *ends in rows:
        clock = clock_for(ctx.playbook, severity)
        for (name, _, attribute), end in zip(SLA_ENDS, ends, strict=True):
            limit = getattr(ctx.playbook.severities[severity], attribute)
            counts = result[name].setdefault(str(severity), {"met": 0, "breached": 0})
            if clock.elapsed(declared, end or now) > limit:
                counts["breached"] += 1
            elif end is not None:
                counts["met"] += 1
    return result


def _counts(session: Session, column: Any, where: ColumnElement[bool]) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(where).group_by(column))
    return {str(key): int(count) for key, count in rows}


def _by_service(session: Session, where: ColumnElement[bool]) -> dict[str, int]:
    name = (
        "json_each" if session.get_bind().dialect.name == "sqlite" else "jsonb_array_elements_text"
    )
    values = getattr(func, name)(Incident.services).table_valued("value")
    statement = (
        select(values.c.value, func.count())
        .select_from(Incident)
        .join(values, true())
        .where(where)
        .group_by(values.c.value)
        .order_by(func.count().desc(), values.c.value)
    )
    return {str(service): int(count) for service, count in session.execute(statement)}


def _action_items(session: Session, where: ColumnElement[bool], now: datetime) -> dict[str, int]:
    statement = (
        select(
            func.count(ActionItem.id),
            func.sum(case((ActionItem.status == "done", 1), else_=0)),
            func.sum(
                case(
                    (
                        and_(
                            ActionItem.status == "open",
                            ActionItem.due_at < literal(now, UTCDateTime()),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(where)
    )
    total, done, overdue = session.execute(statement).one()
    return {"total": int(total or 0), "done": int(done or 0), "overdue": int(overdue or 0)}


def _headline(session: Session, where: ColumnElement[bool]) -> dict[str, Any]:
    """The figures trends compare: total and the medians of acknowledge and resolve."""

    def overall(start: Any, end: Any) -> float | None:
        duration = seconds(session, start, end).label("d")
        ranked = (
            select(
                duration,
                func.row_number().over(order_by=duration).label("rn"),
                func.count().over().label("n"),
            )
            .where(where, end.is_not(None))
            .subquery()
        )
        value = session.execute(
            select(func.max(case((ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.d))))
        ).scalar()
        return _round(value)

    total = session.execute(select(func.count()).select_from(Incident).where(where)).scalar_one()
    return {
        "total": int(total),
        "time_to_acknowledge_median": overall(Incident.declared_at, Incident.acknowledged_at),
        "time_to_resolve_median": overall(Incident.declared_at, Incident.resolved_at),
    }


def _trends(session: Session, start: datetime, current: dict[str, Any]) -> dict[str, Any]:
    previous = []
    for back in (3, 2, 1):
        begin = shift_month(start, -back)
        figures = _headline(session, _in_month(begin, shift_month(begin, 1)))
        previous.append({"month": f"{begin:%Y-%m}", **figures})
    changes = {}
    for key in ("total", "time_to_acknowledge_median", "time_to_resolve_median"):
        known = [p[key] for p in previous if p[key] is not None]
        baseline = sum(known) / len(known) if known else None
        changes[f"{key}_change_pct"] = trend(current[key], baseline)
    return {"previous": previous, **changes}


def monthly_report(ctx: Context, month: str) -> dict[str, Any]:
    start, end = month_bounds(month)
    now = ctx.clock.now()
    where = _in_month(start, end)
    with ctx.db.unit_of_work() as session:
        keys = [str(n) for n in sorted(ctx.playbook.severities)]
        by_severity = _counts(session, Incident.severity, where)
        by_service = _by_service(session, where)
        headline = _headline(session, where)
        report: dict[str, Any] = {
            "month": month,
            "generated_at": now.isoformat(),
            "incidents": {
                "total": headline["total"],
                "by_severity": {
                    str(n): by_severity.get(str(n), 0) for n in sorted(ctx.playbook.severities)
                },
                "by_service": by_service,
                "by_source": _counts(session, Incident.source, where),
            },
        }
        for name, (begin, finish) in METRICS.items():
            found = _summaries(session, where, begin, finish)
            report[name] = {key: found.get(key, dict(EMPTY)) for key in keys}
        sla = _sla(session, ctx, where, now)
        report["sla"] = {
            name: {key: found.get(key, {"met": 0, "breached": 0}) for key in keys}
            for name, found in sla.items()
        }
        report["action_items"] = _action_items(session, where, now)
        report["trends"] = _trends(session, start, headline)
        report["top_services"] = [
            {"service": s, "incidents": n} for s, n in list(by_service.items())[:5]
        ]
        return report


def month_incidents(ctx: Context, month: str) -> list[dict[str, Any]]:
    """The month's incidents (drills left out), one row each, for the CSV export."""
    start, end = month_bounds(month)
    with ctx.db.unit_of_work() as session:
        statement: Select[Any] = (
            select(Incident)
            .where(_in_month(start, end))
            .order_by(Incident.declared_at, Incident.id)
        )
        return [_csv_row(i) for i in session.execute(statement).scalars()]


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


def monthly_rendered(ctx: Context, month: str, fmt: str) -> str:
    if fmt == "csv":
        return report_render.to_csv(month_incidents(ctx, month))
    report = monthly_report(ctx, month)
    if fmt == "md":
        return report_render.to_markdown(report, ctx.playbook)
    if fmt == "html":
        return report_render.to_html(report, ctx.playbook)
    raise InvalidInput("format is json, md, html or csv", "format")


DRILL_KINDS = (EventKind.PAGE_SENT, EventKind.ROLE_ASSIGNED, EventKind.UPDATE_POSTED)


def drill_scores(ctx: Context) -> list[dict[str, Any]]:
    """Every drill, scored: time to first page, roles assigned, first update within cadence."""
    with ctx.db.unit_of_work() as session:
        drills = list(
            session.execute(
                select(Incident).where(Incident.drill.is_(True)).order_by(Incident.declared_at)
            ).scalars()
        )
        events = session.execute(
            select(
                TimelineEvent.incident_id, TimelineEvent.kind, TimelineEvent.at, TimelineEvent.data
            )
            .where(
                TimelineEvent.incident_id.in_([d.id for d in drills]),
                TimelineEvent.kind.in_([str(k) for k in DRILL_KINDS]),
            )
            .order_by(TimelineEvent.incident_id, TimelineEvent.seq)
        ).all()
        paged = session.execute(
            select(EscalationStep.incident_id, EscalationStep.role)
            .where(
                EscalationStep.incident_id.in_([d.id for d in drills]),
                EscalationStep.kind == "page",
                EscalationStep.role.in_(list(ctx.playbook.roles)),
            )
            .distinct()
        ).all()
        return [
            _score(
                ctx,
                drill,
                [e for e in events if e.incident_id == drill.id],
                {role for incident_id, role in paged if incident_id == drill.id and role},
            )
            for drill in drills
        ]


def _score(
    ctx: Context, drill: Incident, events: list[Any], paged_roles: set[str]
) -> dict[str, Any]:
    """A role counts as assigned when the drill paged its holder or someone assigned it."""

    def first(kind: str) -> datetime | None:
        return next((e.at for e in events if e.kind == kind), None)

    roles = {e.data.get("role") for e in events if e.kind == EventKind.ROLE_ASSIGNED}
    roles |= paged_roles
    severity = ctx.playbook.severities[drill.severity]
    result = score_drill(
        drill.declared_at,
        first(EventKind.PAGE_SENT),
        len(roles),
        len(ctx.playbook.roles),
        first(EventKind.UPDATE_POSTED),
        severity.update_every,
    )
    return {
        "reference": drill.reference,
        "title": drill.title,
        "severity": drill.severity,
        "declared_at": drill.declared_at,
        "time_to_first_page": result.time_to_first_page,
        "roles_assigned": result.roles_assigned,
        "roles_total": result.roles_total,
        "first_update_after": result.first_update_after,
        "first_update_on_time": result.first_update_on_time,
        "score": result.score,
    }
