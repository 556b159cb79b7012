"""The escalation engine's own tables: the steps it performed and the ack links used.

`escalation_steps` holds one row per performed planner step (unique per incident and step
key), so the engine can rebuild the planner's state (done keys, sent messages, their
acknowledgements and delivery failures) from the database alone after a restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.store.models import Base, UTCDateTime


class EscalationStep(Base):
    __tablename__ = "escalation_steps"
    __table_args__ = (UniqueConstraint("incident_id", "key", name="uq_escalation_step_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(20))
    person: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(50))
    level: Mapped[str | None] = mapped_column(String(50))
    method: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(500))
    contact_index: Mapped[int | None] = mapped_column(Integer)
    outbox_key: Mapped[str | None] = mapped_column(String(255), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UsedAckToken(Base):
    """An acknowledgement link that has been used: each link acknowledges once."""

    __tablename__ = "ack_tokens_used"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    outbox_key: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
