"""The cache in front of the public page: served without the database while nothing
changed, rebuilt when this process or another one changes something."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing
from warroom.service.status_page import announcements as statuspage
from warroom.store.models import Incident, OutboxMessage, TimelineEvent
from warroom.store.queries import incident_by_reference
from warroom.web import statuspage as render


def test_a_change_made_in_this_process_is_on_the_page_at_once(ctx: Context) -> None:
    cache = statuspage.StatusCache(ctx, check_every=3600)
    assert b'"indicator":"none"' in cache.document("status.json", render.status_json)
    declared = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="API down", severity=1, services=["api"]),
        actor="t",
    )
    ctx.transact(publishing.publish, declared.reference, public_title="API errors", actor="t")
    assert cache.servable("status.json") is None
    assert b'"indicator":"critical"' in cache.document("status.json", render.status_json)
    assert cache.servable("status.json") is not None


def test_a_change_made_by_another_process_is_seen_at_the_next_check(
    ctx: Context, clock: ManualClock
) -> None:
    declared = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="API down", severity=1, services=["api"]),
        actor="t",
    )
    ctx.transact(publishing.publish, declared.reference, public_title="API errors", actor="t")
    cache = statuspage.StatusCache(ctx, check_every=0)
    assert b'"critical"' in cache.document("status.json", render.status_json)
    with ctx.db.unit_of_work() as session:  # as another worker would, without this process
        session.execute(
            update(Incident)
            .where(Incident.reference == declared.reference)
            .values(severity=3, last_event_at=clock.now() + timedelta(seconds=1))
        )
    assert b'"minor"' in cache.document("status.json", render.status_json)


def test_an_announcement_is_queued_once_however_often_its_event_is_seen(ctx: Context) -> None:
    communication = ctx.playbook.communication.model_copy(update={"announce_to": ["json://x"]})
    loud = Context(
        db=ctx.db,
        playbook=ctx.playbook.model_copy(update={"communication": communication}),
        clock=ctx.clock,
        settings=ctx.settings,
    )
    reference = loud.transact(
        incidents.declare, incidents.Declaration(title="API down", severity=1), actor="t"
    ).reference
    with loud.db.unit_of_work() as session:
        incident = incident_by_reference(session, reference)
        event = session.execute(select(TimelineEvent)).scalars().first()
        assert event is not None
        statuspage.announce(session, loud, incident, event, loud.clock.now())
    with loud.db.unit_of_work() as session:
        announcements = select(func.count(OutboxMessage.id)).where(
            OutboxMessage.method == "apprise"
        )
        assert session.execute(announcements).scalar_one() == 1  # pages are queued too


def test_an_override_is_on_the_page_once_it_is_committed(ctx: Context) -> None:
    cache = statuspage.StatusCache(ctx, check_every=3600)
    assert b'"indicator":"none"' in cache.document("status.json", render.status_json)
    with ctx.db.unit_of_work() as session:
        statuspage.set_override(
            ctx, session, "api", status="major_outage", duration="1h", actor="t"
        )
        assert cache.servable("status.json") is not None  # not until the commit
    assert cache.servable("status.json") is None
    assert b'"indicator":"critical"' in cache.document("status.json", render.status_json)
