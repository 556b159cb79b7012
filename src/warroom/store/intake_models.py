"""Alert intake tables: integration keys, the inbox of accepted payloads not yet applied,
one row per alert group, the alerts themselves (inserted in bulk, one statement per payload),
the rejected payloads kept for inspection and the dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.store.models import Base, JsonType, UTCDateTime


class Integration(Base):
    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboxPayload(Base):
    """A payload answered 2xx and not yet applied to incidents: committed before the answer,
    deleted in the transaction that applies it. `new_key` makes re-parsing it repeatable;
    `group_hash` names its alert group (`alert_groups.group_hash`; empty on rows accepted
    before it was kept)."""

    __tablename__ = "intake_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_key: Mapped[str] = mapped_column(String(32))
    group_hash: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # last: see migration 0011


class AlertGroup(Base):
    """(integration, group key) -> the group's incident; unique, so one incident per group.
    A group whose incident is long resolved is pointed at the next incident it opens.
    `opened_at` is when it last opened one (or, past `intake.storm`, joined a storm
    instead), under `title`; null on groups opened before migration 0021."""

    __tablename__ = "alert_groups"
    __table_args__ = (
        UniqueConstraint("integration_id", "group_hash", name="uq_alert_groups_key"),
        Index("ix_alert_groups_integration_opened", "integration_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"))
    group_hash: Mapped[str] = mapped_column(String(64))
    group_key: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(Text)


class AlertStorm(Base):
    """An incident that holds the alert groups of one integration's storm (SPEC §5)."""

    __tablename__ = "alert_storms"
    __table_args__ = (Index("ix_alert_storms_integration", "integration_id"),)

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("incident_id", "alert_key", name="uq_alerts_incident_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id"))
    source: Mapped[str] = mapped_column(String(20))
    fingerprint: Mapped[str] = mapped_column(String(64))
    alert_key: Mapped[str] = mapped_column(String(64))  # 16 hex: fingerprint, status, start
    status: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    labels: Mapped[dict[str, str]] = mapped_column(JsonType)
    annotations: Mapped[dict[str, str]] = mapped_column(JsonType)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JsonType)


class RejectedPayload(Base):
    __tablename__ = "rejected_payloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    endpoint: Mapped[str] = mapped_column(String(100))
    status_code: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, str]] = mapped_column(JsonType)
    body: Mapped[str] = mapped_column(Text)


class DeadLetter(Base):
    """A payload answered 2xx that could not be applied, kept whole (never pruned, unlike
    the rejected list) until `warroom intake retry` moves it back to the inbox. `inbox_id`
    is the inbox row it came from."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbox_id: Mapped[int] = mapped_column(Integer, index=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_key: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
