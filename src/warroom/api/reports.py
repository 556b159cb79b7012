"""Kept reviews: the monthly reviews the scheduler made on the 1st, listed and read back.
(`GET /reports/monthly?month=` in `post.py` computes one on demand.)"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response

from warroom.api.deps import ContextDep, Viewer
from warroom.service.reports import kept
from warroom.service.reports.kept import KeptReportOut

router = APIRouter(prefix="/api/v1/reports", tags=["post-incident"])
MEDIA = {"md": "text/markdown", "html": "text/html"}


@router.get("")
def kept_reports(ctx: ContextDep, _caller: Viewer) -> list[KeptReportOut]:
    """The kept reviews (kind, period, made_at), newest first."""
    return ctx.read(kept.list_reports)


@router.get("/monthly/{period}", response_model=None)
def kept_monthly_review(
    period: str,
    ctx: ContextDep,
    _caller: Viewer,
    format: Literal["json", "md", "html"] = "json",
) -> Response | dict[str, Any]:
    """The monthly review of `period` (YYYY-MM) as it was made and kept."""
    if format == "json":
        return ctx.read(kept.monthly_review, period)
    text = ctx.read(kept.monthly_review_rendered, period, format)
    return Response(text, media_type=f"{MEDIA[format]}; charset=utf-8")
