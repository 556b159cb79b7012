"""The intake's reads and writes: integration keys, alert groups and their alerts, rejected
payloads and dead letters. The inbox's own are in `store.inbox_queries`."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from warroom.store.intake_models import (
    AlertGroup,
    AlertRow,
    DeadLetter,
    InboxPayload,
    Integration,
    RejectedPayload,
)


def integration_named(session: Session, name: str) -> Integration | None:
    statement = select(Integration).where(Integration.name == name)
    return session.execute(statement).scalar_one_or_none()


def integration_by_key_hash(session: Session, key_hash: str) -> Integration | None:
    statement = select(Integration).where(Integration.key_hash == key_hash)
    return session.execute(statement).scalar_one_or_none()


def all_integrations(session: Session) -> list[Integration]:
    """Every integration, revoked ones too, oldest first."""
    return list(session.execute(select(Integration).order_by(Integration.id)).scalars())


def locked_group(session: Session, integration_id: int, group_hash: str) -> AlertGroup | None:
    """The integration's alert group of this hash under a row lock, if it has one."""
    statement = (
        select(AlertGroup)
        .where(AlertGroup.integration_id == integration_id)
        .where(AlertGroup.group_hash == group_hash)
        .with_for_update()
    )
    return session.execute(statement).scalar_one_or_none()


def known_alert_count(session: Session, incident_id: int, keys: Collection[str]) -> int:
    """How many of these alert keys the incident already has."""
    statement = (
        select(func.count())
        .select_from(AlertRow)
        .where(AlertRow.incident_id == incident_id, AlertRow.alert_key.in_(keys))
    )
    return int(session.execute(statement).scalar_one())


def prune_rejected(session: Session, kept: int) -> None:
    """Drop the rejected payloads older than the newest `kept`."""
    newest = session.execute(select(func.max(RejectedPayload.id))).scalar_one()
    session.execute(delete(RejectedPayload).where(RejectedPayload.id <= newest - kept))


def newest_rejected(session: Session, limit: int) -> list[RejectedPayload]:
    statement = select(RejectedPayload).order_by(RejectedPayload.id.desc()).limit(limit)
    return list(session.execute(statement).scalars())


def oldest_dead_letters(session: Session, limit: int) -> list[DeadLetter]:
    statement = select(DeadLetter).order_by(DeadLetter.id).limit(limit)
    return list(session.execute(statement).scalars())


def dead_letter_of_inbox_row(session: Session, inbox_id: int) -> DeadLetter | None:
    """The dead letter the inbox row of this id became, if it did."""
    statement = select(DeadLetter).where(DeadLetter.inbox_id == inbox_id)
    return session.execute(statement).scalar_one_or_none()


def move_to_inbox(session: Session, letter: DeadLetter) -> int:
    """Move a dead letter back to the inbox as it was received; its inbox row's id."""
    statement = (
        insert(InboxPayload)
        .values(
            integration_id=letter.integration_id,
            kind=letter.kind,
            received_at=letter.received_at,
            new_key=letter.new_key,
            body=letter.body,
        )
        .returning(InboxPayload.id)
    )
    inbox_id = session.execute(statement).scalar_one()
    session.delete(letter)
    return int(inbox_id)
