"""SPEC §3: timeline events are never edited or deleted; the database enforces it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import reading
from warroom.store.models import TimelineEvent


def test_the_database_refuses_to_edit_or_delete_a_timeline_event(ctx: Context) -> None:
    ctx.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="test"
    )
    recorded = ctx.read(reading.get_timeline, "2024-01-15-001")
    for statement in (update(TimelineEvent).values(actor="someone else"), delete(TimelineEvent)):
        with pytest.raises(DBAPIError, match="append-only"), ctx.db.unit_of_work() as session:
            session.execute(statement)
    assert ctx.read(reading.get_timeline, "2024-01-15-001") == recorded
    assert (recorded[0].kind, recorded[0].actor) == ("declared", "test")
