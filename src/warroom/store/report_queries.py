"""The monthly review's queries: every figure one grouped query over the month's incidents
(the per-incident times are columns, so the timeline is never scanned). Percentiles use the
nearest-rank rule of `core.metrics` through window functions, which SQLite and PostgreSQL
both have."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, literal, select, true
from sqlalchemy.orm import Session

from warroom.store.engine_models import EscalationStep
from warroom.store.models import Incident, TimelineEvent, UTCDateTime
from warroom.store.post_models import ActionItem

SLA_ENDS = (("response", Incident.acknowledged_at), ("resolution", Incident.resolved_at))


def seconds(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    """`end - start` in seconds, in the database's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start).cast(Float)


def in_month(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Incidents declared in [start, end), drills left out."""
    return and_(
        Incident.drill.is_(False),
        Incident.declared_at >= literal(start, UTCDateTime()),
        Incident.declared_at < literal(end, UTCDateTime()),
    )


def summaries(session: Session, where: ColumnElement[bool], start: Any, end: Any) -> dict[str, Any]:
    """Median (nearest rank), p90 and mean of `end - start` per severity, in seconds."""
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
        str(sev): {"median": rounded(median), "p90": rounded(p90), "mean": rounded(mean)}
        for sev, median, p90, mean in session.execute(statement)
    }


def rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def sla_on_wall_time(
    session: Session,
    limits_by_end: dict[str, dict[int, float]],
    where: ColumnElement[bool],
    now: datetime,
) -> dict[str, Any]:
    """Met and breached per severity for each SLA end, given each end's limits in seconds
    per severity."""
    result: dict[str, Any] = {}
    for name, end in SLA_ENDS:
        limits = limits_by_end[name]
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


def counts(session: Session, column: Any, where: ColumnElement[bool]) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(where).group_by(column))
    return {str(key): int(count) for key, count in rows}


def by_service(session: Session, where: ColumnElement[bool]) -> dict[str, int]:
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


def action_items(session: Session, where: ColumnElement[bool], now: datetime) -> dict[str, int]:
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


def headline(session: Session, where: ColumnElement[bool]) -> dict[str, Any]:
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
        return rounded(value)

    total = session.execute(select(func.count()).select_from(Incident).where(where)).scalar_one()
    return {
        "total": int(total),
        "time_to_acknowledge_median": overall(Incident.declared_at, Incident.acknowledged_at),
        "time_to_resolve_median": overall(Incident.declared_at, Incident.resolved_at),
    }


def sla_rows(session: Session, where: ColumnElement[bool]) -> list[Any]:
    """Severity, declared, acknowledged and resolved of each incident `where` selects."""
    statement = select(
        Incident.severity, Incident.declared_at, Incident.acknowledged_at, Incident.resolved_at
    ).where(where)
    return list(session.execute(statement).all())


def incidents_in(session: Session, where: ColumnElement[bool]) -> list[Incident]:
    statement = select(Incident).where(where).order_by(Incident.declared_at, Incident.id)
    return list(session.execute(statement).scalars())


def drills(session: Session) -> list[Incident]:
    """Every drill, the first declared first."""
    statement = select(Incident).where(Incident.drill.is_(True)).order_by(Incident.declared_at)
    return list(session.execute(statement).scalars())


def events_of_kinds(session: Session, incident_ids: list[int], kinds: Iterable[str]) -> list[Any]:
    """Incident, kind, time and data of these incidents' events of these kinds, in order."""
    statement = (
        select(TimelineEvent.incident_id, TimelineEvent.kind, TimelineEvent.at, TimelineEvent.data)
        .where(
            TimelineEvent.incident_id.in_(incident_ids),
            TimelineEvent.kind.in_([str(k) for k in kinds]),
        )
        .order_by(TimelineEvent.incident_id, TimelineEvent.seq)
    )
    return list(session.execute(statement).all())


def paged_roles(
    session: Session, incident_ids: list[int], roles: Iterable[str]
) -> list[tuple[int, str | None]]:
    """(incident, role) for each of these roles the escalation paged in these incidents."""
    statement = (
        select(EscalationStep.incident_id, EscalationStep.role)
        .where(
            EscalationStep.incident_id.in_(incident_ids),
            EscalationStep.kind == "page",
            EscalationStep.role.in_(list(roles)),
        )
        .distinct()
    )
    return [(incident_id, role) for incident_id, role in session.execute(statement)]
