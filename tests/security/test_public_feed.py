"""Text that XML forbids never breaks the Atom feed."""

from __future__ import annotations

from xml.etree import ElementTree

from fastapi.testclient import TestClient

from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_control_characters_in_a_public_update_leave_the_feed_valid_xml(
    ctx: Context, app_client: TestClient
) -> None:
    reference = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="Checkout\x07 down", severity=1, services=["api"]),
        actor="test",
    ).reference
    message = "bell\x07 escape\x1b form\x0c tab\t kept\ufffe"
    ctx.transact(
        publishing.post_update,
        reference,
        message=message,
        audience="public",
        actor="test",
        public_title="Degraded service",
    )
    feed = app_client.get("/status/feed.atom")
    assert feed.status_code == 200
    root = ElementTree.fromstring(feed.content)
    contents = [e.text for e in root.findall("a:entry/a:content", ATOM)]
    assert "bell\ufffd escape\ufffd form\ufffd tab\t kept\ufffd" in contents
