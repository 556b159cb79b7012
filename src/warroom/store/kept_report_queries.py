"""Reading and keeping the improvement loop's reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.store.queries import insert_if_absent
from warroom.store.report_models import KeptReport


def keep(
    session: Session,
    *,
    kind: str,
    period: str,
    made_at: datetime,
    data: dict[str, Any],
    markdown: str,
) -> bool:
    """Keep a report unless one of that kind and period is kept already; True if kept now."""
    values = {
        "kind": kind,
        "period": period,
        "made_at": made_at,
        "data": data,
        "markdown": markdown,
    }
    return insert_if_absent(session, KeptReport, values)


def newest_first(session: Session) -> list[KeptReport]:
    statement = select(KeptReport).order_by(KeptReport.period.desc(), KeptReport.id.desc())
    return list(session.execute(statement).scalars())


def kept_report(session: Session, kind: str, period: str) -> KeptReport | None:
    statement = select(KeptReport).where(KeptReport.kind == kind, KeptReport.period == period)
    return session.execute(statement).scalar_one_or_none()
