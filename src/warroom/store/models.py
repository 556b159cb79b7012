"""SQLAlchemy models: incidents, their append-only timeline, reference sequences and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from warroom.clock import ensure_utc

JsonType = JSON().with_variant(JSONB(), "postgresql")


SUBJECT_MAX = 500


NO_SEVERITY = 99  # sorts after every severity: work that belongs to no incident


def claimed_by_severity() -> Mapped[int]:
    """The severity a pending timer or outbox row is claimed by: its incident's, kept
    current when the incident's changes (NO_SEVERITY for work of no incident)."""
    return mapped_column(Integer, default=NO_SEVERITY, server_default=str(NO_SEVERITY))


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else ensure_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else ensure_utc(value)


class Base(DeclarativeBase):
    pass


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_declared_at_id", "declared_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(50), default="manual")
    services: Mapped[list[str]] = mapped_column(JsonType, default=list)
    roles: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    impact: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    retrospective: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public_title: Mapped[str | None] = mapped_column(String(500))
    checklist: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="incident", order_by="TimelineEvent.seq", lazy="raise_on_sql"
    )


class TimelineEvent(Base):
    """One line of an incident's timeline. Rows are only ever inserted."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        UniqueConstraint("incident_id", "seq", name="uq_timeline_incident_seq"),
        Index("ix_timeline_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="events")


class ReferenceSequence(Base):
    """The last incident number handed out for a UTC day: `2024-01-15` -> 3."""

    __tablename__ = "reference_sequences"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UiSession(Base):
    """A web UI sign-in: the cookie holds the random id, this row only its hash. It acts as
    its API token, so revoking the token ends it; signing out sets `revoked_at`."""

    __tablename__ = "ui_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Timer(Base):
    """Work due later (an escalation step, a reminder): a row, never an in-memory timer.

    `key` is unique, so scheduling the same step twice keeps one row; the scheduler claims
    pending rows whose `due_at` has passed and marks them done in the transaction that
    performs them, so each runs once even across restarts and workers.
    """

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_state_due", "state", "due_at"),
        Index("ix_timers_claim", "state", "severity", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    severity: Mapped[int] = claimed_by_severity()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A message to deliver (page, notification, reminder, announcement), written in the
    same transaction as the change that causes it and drained by the delivery loop.

    `key` is unique: the same page is never queued twice. `state` is pending, sent, failed
    or recorded (a method with no channel, or an `outbox_only` message such as a drill's:
    kept in the built-in outbox, sent nowhere).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_claim", "state", "severity", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    person: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    severity: Mapped[int] = claimed_by_severity()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outbox_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
