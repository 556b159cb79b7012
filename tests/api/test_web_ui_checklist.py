"""The incident page's checklist: by phase, a button per item, who ticked it and when."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.ui_client import sign_in
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents

PAGE = "/ui/incidents/2024-01-15-001"


def declare(ctx: Context) -> None:
    declared = incidents.Declaration(title="Checkout errors", severity=2)
    ctx.transact(incidents.declare, declared, actor="alice")


def item_html(page: str, item_id: str) -> str:
    found = re.search(rf'<li id="item-{item_id}".*?</li>', page, re.S)
    assert found, f"no checklist item {item_id} on the page"
    return found.group(0)


def test_the_incident_page_shows_the_checklist_phase_by_phase_with_who_ticked_what(
    ctx: Context, app_client: TestClient, tokens: dict[str, str]
) -> None:
    declare(ctx)
    sign_in(app_client, tokens["responder"])
    page = app_client.get(PAGE).text
    for checklist in ctx.playbook.checklists:
        assert f"<h3>{checklist.title}</h3>" in page
    created = item_html(page, "create-incident")
    assert "warroom, 2024-01-15 10:00:00 UTC" in created and ">Untick<" in created
    assert ">Tick<" in item_html(page, "start-video")


def test_a_responder_ticks_an_item_from_the_page_and_unticks_it(
    ctx: Context, app_client: TestClient, tokens: dict[str, str]
) -> None:
    declare(ctx)
    csrf = sign_in(app_client, tokens["responder"])
    ticked = app_client.post(f"{PAGE}/checklist/start-video", data={"csrf": csrf, "done": "true"})
    assert ticked.status_code == 200
    assert "Ticked “Start video conference call”" in ticked.text
    assert "responder-token, 2024-01-15 10:00:00 UTC" in item_html(ticked.text, "start-video")
    unticked = app_client.post(
        f"{PAGE}/checklist/start-video", data={"csrf": csrf, "done": "false"}
    )
    assert "Unticked “Start video conference call”" in unticked.text
    assert ">Tick<" in item_html(unticked.text, "start-video")


def test_a_tick_without_the_pages_csrf_token_or_by_a_viewer_changes_nothing(
    ctx: Context, app_client: TestClient, tokens: dict[str, str]
) -> None:
    declare(ctx)
    sign_in(app_client, tokens["responder"])
    forged = app_client.post(f"{PAGE}/checklist/start-video", data={"done": "true"})
    assert forged.status_code == 403
    app_client.cookies.clear()
    csrf = sign_in(app_client, tokens["viewer"])
    refused = app_client.post(f"{PAGE}/checklist/start-video", data={"csrf": csrf})
    assert 'role="alert"' in refused.text
    assert ">Tick<" in item_html(refused.text, "start-video")


def test_an_unknown_item_comes_back_as_a_problem_on_the_page(
    ctx: Context, app_client: TestClient, tokens: dict[str, str]
) -> None:
    declare(ctx)
    csrf = sign_in(app_client, tokens["responder"])
    answer = app_client.post(f"{PAGE}/checklist/make-coffee", data={"csrf": csrf})
    assert "unknown checklist item &#39;make-coffee&#39;" in answer.text
