"""Publishing (SPEC §6): an incident becomes public once, by a person or by the playbook's
auto_publish severities, and the timeline says who published it under which title."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.clock import ManualClock
from warroom.errors import Conflict, InvalidInput
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing, reading
from warroom.service.status_page.announcements import current


@pytest.fixture
def auto_publishing(ctx: Context) -> Context:
    """The playbook with Sev1 and Sev2 public from their declaration."""
    page = ctx.playbook.communication.status_page.model_copy(update={"auto_publish": [1, 2]})
    communication = ctx.playbook.communication.model_copy(update={"status_page": page})
    playbook = ctx.playbook.model_copy(update={"communication": communication})
    return Context(db=ctx.db, playbook=playbook, clock=ctx.clock, settings=ctx.settings)


def _declare(ctx: Context, severity: int = 1, drill: bool = False) -> str:
    return ctx.transact(
        incidents.declare,
        incidents.Declaration(
            title="pg-primary-3 OOM", severity=severity, services=["api"], drill=drill
        ),
        actor="alice",
    ).reference


def test_a_declared_incident_is_not_published(ctx: Context) -> None:
    incident = ctx.read(reading.get_incident, _declare(ctx))
    assert incident.published_at is None and incident.public_title is None
    assert ctx.read(current).incidents == []


def test_publishing_records_who_published_under_which_title(
    ctx: Context, clock: ManualClock
) -> None:
    reference = _declare(ctx)
    clock.advance(timedelta(minutes=4))
    published = ctx.transact(
        publishing.publish, reference, public_title="Checkout errors", actor="bob"
    )
    assert published.published_at == clock.now()
    assert published.public_title == "Checkout errors"
    event = ctx.read(reading.get_timeline, reference)[-1]
    assert (event.kind, event.actor) == ("published", "bob")
    assert event.data == {"public_title": "Checkout errors"}
    [shown] = ctx.read(current).incidents
    assert shown["name"] == "Checkout errors" and shown["incident_updates"] == []


def test_publishing_with_a_message_posts_it_as_the_first_public_update(ctx: Context) -> None:
    reference = _declare(ctx)
    ctx.transact(
        publishing.publish, reference, public_title="Checkout errors", message="On it.", actor="b"
    )
    kinds = [(e.kind, e.data.get("audience")) for e in ctx.read(reading.get_timeline, reference)]
    assert kinds[-2:] == [("published", None), ("update_posted", "public")]
    [shown] = ctx.read(current).incidents
    assert [u["body"] for u in shown["incident_updates"]] == ["On it."]


def test_the_first_public_update_publishes_and_needs_a_public_title(ctx: Context) -> None:
    reference = _declare(ctx)
    with pytest.raises(InvalidInput) as refused:
        ctx.transact(
            publishing.post_update, reference, message="On it.", audience="public", actor="b"
        )
    assert refused.value.field == "public_title"
    ctx.transact(
        publishing.post_update,
        reference,
        message="On it.",
        audience="public",
        public_title="Slow API",
        actor="b",
    )
    ctx.transact(
        publishing.post_update, reference, message="Fixed soon.", audience="public", actor="b"
    )
    timeline = ctx.read(reading.get_timeline, reference)
    kinds = [e.kind for e in timeline if e.kind != "checklist_ticked"]
    assert kinds == ["declared", "published", "update_posted", "update_posted"]
    assert ctx.read(current).incidents[0]["name"] == "Slow API"


def test_internal_updates_never_publish(ctx: Context) -> None:
    reference = _declare(ctx)
    ctx.transact(
        publishing.post_update, reference, message="disk full", audience="internal", actor="b"
    )
    assert ctx.read(reading.get_incident, reference).published_at is None


def test_an_incident_is_published_once(ctx: Context) -> None:
    reference = _declare(ctx)
    ctx.transact(publishing.publish, reference, public_title="Checkout errors", actor="b")
    with pytest.raises(Conflict):
        ctx.transact(publishing.publish, reference, public_title="Again", actor="b")


def test_a_public_title_must_say_something(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as refused:
        ctx.transact(publishing.publish, _declare(ctx), public_title="  ", actor="b")
    assert refused.value.field == "public_title"


def test_a_drill_is_never_published(ctx: Context) -> None:
    with pytest.raises(Conflict):
        ctx.transact(
            publishing.publish, _declare(ctx, drill=True), public_title="Game day", actor="b"
        )


def test_a_resolved_incident_can_still_be_published_for_the_record(ctx: Context) -> None:
    reference = _declare(ctx)
    ctx.transact(incidents.resolve, reference, resolution="restarted", actor="b")
    ctx.transact(publishing.publish, reference, public_title="Checkout errors", actor="b")
    [past] = ctx.read(current).past_incidents
    assert past["name"] == "Checkout errors"


def test_components_follow_published_incidents_only(ctx: Context) -> None:
    reference = _declare(ctx)
    statuses = {c["id"]: c["status"] for c in ctx.read(current).components}
    assert statuses["api"] == "operational"
    ctx.transact(publishing.publish, reference, public_title="Checkout errors", actor="b")
    statuses = {c["id"]: c["status"] for c in ctx.read(current).components}
    assert statuses["api"] == "major_outage"


def test_auto_published_severities_are_public_at_declaration_under_their_generic_title(
    auto_publishing: Context,
) -> None:
    reference = _declare(auto_publishing, severity=2)
    incident = auto_publishing.read(reading.get_incident, reference)
    assert incident.published_at == incident.declared_at
    assert incident.public_title == "Partial service outage"
    [event] = [
        e for e in auto_publishing.read(reading.get_timeline, reference) if e.kind == "published"
    ]
    assert (event.kind, event.actor) == ("published", "alice")
    assert event.data == {"public_title": "Partial service outage", "auto_publish": True}
    [shown] = auto_publishing.read(current).incidents
    assert shown["name"] == "Partial service outage"


def test_severities_not_listed_in_auto_publish_stay_private(auto_publishing: Context) -> None:
    reference = _declare(auto_publishing, severity=3)
    assert auto_publishing.read(reading.get_incident, reference).published_at is None
    assert auto_publishing.read(current).incidents == []


def test_a_drill_of_an_auto_published_severity_stays_private(auto_publishing: Context) -> None:
    reference = _declare(auto_publishing, severity=1, drill=True)
    assert auto_publishing.read(reading.get_incident, reference).published_at is None


def test_a_public_title_is_one_line_the_feed_can_carry(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as refused:
        ctx.transact(publishing.publish, _declare(ctx), public_title="Slow\x00 pages\n", actor="b")
    assert refused.value.field == "public_title"


def test_a_drills_public_updates_are_rehearsals_and_publish_nothing(ctx: Context) -> None:
    reference = _declare(ctx, drill=True)
    ctx.transact(publishing.post_update, reference, message="On it.", audience="public", actor="b")
    assert ctx.read(reading.get_incident, reference).published_at is None
