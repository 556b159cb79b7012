"""Kept reports: the reviews the improvement loop makes by itself, as they read when made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.store.models import Base, JsonType, UTCDateTime


class KeptReport(Base):
    """One review of one period (`monthly`, `2024-01`): its JSON and its Markdown. Unique on
    (kind, period), so two schedulers or a restart keep one."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("kind", "period", name="uq_reports_kind_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    markdown: Mapped[str] = mapped_column(Text)
