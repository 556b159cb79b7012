"""Kept reviews: the monthly review as made on the 1st, listed and read back unchanged.

The kept JSON is the on-demand review's (`monthly.monthly_report`) at the moment it was
made; its Markdown is kept beside it, so a later playbook or data change does not rewrite
what the team reviewed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from warroom.errors import InvalidInput, NotFound
from warroom.service.context import Context
from warroom.service.reports import monthly
from warroom.service.reports import render as report_render
from warroom.store import kept_report_queries as queries
from warroom.store.report_models import KeptReport

MONTHLY = "monthly"
RENDERINGS = ("md", "html")


class KeptReportOut(BaseModel):
    kind: str
    period: str
    made_at: datetime
    incidents: int


def keep_monthly_review(ctx: Context, session: Session, period: str) -> tuple[dict[str, Any], bool]:
    """Make the review of `period` and keep it, once: the review (the one kept already,
    if any) and whether it was kept now."""
    found = queries.kept_report(session, MONTHLY, period)
    if found is not None:
        return found.data, False
    data = monthly.monthly_report(ctx, session, period)
    kept = queries.keep(
        session,
        kind=MONTHLY,
        period=period,
        made_at=ctx.clock.now(),
        data=data,
        markdown=report_render.to_markdown(data, ctx.playbook),
    )
    return data, kept


def list_reports(ctx: Context, session: Session) -> list[KeptReportOut]:
    """Every kept review, newest period first."""
    return [
        KeptReportOut(
            kind=row.kind,
            period=row.period,
            made_at=row.made_at,
            incidents=int(row.data.get("incidents", {}).get("total", 0)),
        )
        for row in queries.newest_first(session)
    ]


def monthly_review(ctx: Context, session: Session, period: str) -> dict[str, Any]:
    """The kept review of `period` as JSON (the on-demand review's shape)."""
    return _kept(session, period).data


def monthly_review_rendered(ctx: Context, session: Session, period: str, fmt: str) -> str:
    """The kept review as Markdown (as kept) or HTML (drawn from the kept JSON)."""
    if fmt not in RENDERINGS:
        raise InvalidInput("format is json, md or html", "format")
    row = _kept(session, period)
    if fmt == "html":
        return report_render.to_html(row.data, ctx.playbook)
    return row.markdown


def _kept(session: Session, period: str) -> KeptReport:
    if not monthly.MONTH.match(period):
        raise InvalidInput(f"period {period!r} is not YYYY-MM", "period")
    row = queries.kept_report(session, MONTHLY, period)
    if row is None:
        raise NotFound(
            f"no monthly review of {period} is kept (each is made on the 1st of the next "
            f"month); `warroom report monthly --month {period}` computes one now",
            "period",
        )
    return row
