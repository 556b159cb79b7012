"""Communications: the initial notice at declaration, public updates and the resolution
notice go to the playbook's announce_to targets through the outbox, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing
from warroom.store.models import OutboxMessage

TARGETS = ["slack://T000/B000/XXXX", "mailto://127.0.0.1:2525?to=all@example.com"]


@pytest.fixture
def announcing(ctx: Context) -> Context:
    communication = ctx.playbook.communication.model_copy(update={"announce_to": TARGETS})
    playbook = ctx.playbook.model_copy(update={"communication": communication})
    return Context(db=ctx.db, playbook=playbook, clock=ctx.clock, settings=ctx.settings)


def _outbox(ctx: Context) -> list[OutboxMessage]:
    with ctx.db.unit_of_work() as session:
        statement = select(OutboxMessage).where(OutboxMessage.kind.startswith("announce"))
        return list(session.execute(statement.order_by(OutboxMessage.id)).scalars())


def test_a_declared_incident_is_announced_to_every_target_with_the_initial_template(
    announcing: Context,
) -> None:
    announcing.transact(
        incidents.declare,
        incidents.Declaration(title="API down", severity=1, services=["api"]),
        actor="t",
    )
    messages = _outbox(announcing)
    assert [m.address for m in messages] == TARGETS
    assert {m.method for m in messages} == {"apprise"}
    assert {m.kind for m in messages} == {"announce_initial"}
    assert messages[0].body.startswith("🚨 INCIDENT ALERT")
    assert "Severity: Sev1" in messages[0].body
    assert "https://status.alchemorsel.com" in messages[0].body


def test_public_updates_are_announced_and_internal_ones_are_not(
    announcing: Context, clock: ManualClock
) -> None:
    reference = announcing.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t"
    ).reference
    clock.advance(timedelta(minutes=15))
    announcing.transact(
        publishing.post_update, reference, message="internal", audience="internal", actor="t"
    )
    announcing.transact(
        publishing.post_update,
        reference,
        message="Fix rolling out",
        audience="public",
        public_title="API errors",
        actor="t",
    )
    updates = [m for m in _outbox(announcing) if m.kind == "announce_update"]
    assert len(updates) == 2
    assert (
        "📊 INCIDENT UPDATE" in updates[0].body and "Progress: Fix rolling out" in updates[0].body
    )


def test_the_resolution_notice_goes_out_once_at_resolution(
    announcing: Context, clock: ManualClock
) -> None:
    reference = announcing.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=2), actor="t"
    ).reference
    clock.advance(timedelta(hours=1))
    announcing.transact(incidents.resolve, reference, resolution="Rolled back", actor="t")
    resolutions = [m for m in _outbox(announcing) if m.kind == "announce_resolution"]
    assert len(resolutions) == 2
    assert resolutions[0].body.startswith("✅ INCIDENT RESOLVED")
    assert "Resolution: Rolled back" in resolutions[0].body
    initial = [m for m in _outbox(announcing) if m.kind == "announce_initial"]
    assert len(initial) == 2  # declaring is announced once, whatever follows


def test_drills_and_retrospective_records_are_never_announced(
    announcing: Context, clock: ManualClock
) -> None:
    drill = announcing.transact(
        incidents.declare, incidents.Declaration(title="Drill", severity=1, drill=True), actor="t"
    )
    announcing.transact(incidents.resolve, drill.reference, resolution="done", actor="t")
    past = clock.now() - timedelta(days=3)
    record = announcing.transact(
        incidents.declare, incidents.Declaration(title="Old", severity=2, at=past), actor="t"
    )
    announcing.transact(
        incidents.resolve,
        record.reference,
        resolution="done",
        actor="t",
        at=past + timedelta(hours=1),
    )
    assert _outbox(announcing) == []


def test_with_no_targets_nothing_is_queued(ctx: Context) -> None:
    ctx.transact(incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t")
    assert _outbox(ctx) == []
