"""The schedules page: who is on call now, the next two weeks, and the override form; a bad
override comes back as a problem naming what is wrong."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.schedule_playbook import new_york, scheduled_playbook
from tests.ui_client import sign_in
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.session import Database


@pytest.fixture
def ctx(db: Database, clock: ManualClock, settings: Settings) -> Context:
    clock.set(new_york("2024-01-15T08:00"))
    return Context(db=db, playbook=scheduled_playbook(), clock=clock, settings=settings)


def test_the_page_shows_who_is_on_call_now_and_the_next_two_weeks(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    sign_in(app_client, tokens["viewer"])
    page = app_client.get("/ui/schedules").text
    assert 'data-person="devops-lead"' in page
    assert "until Mon 2024-01-15 09:00" in page
    assert "Mon 2024-01-22 09:00" in page and page.count('class="shift"') == 3


def test_an_override_from_the_form_covers_the_schedule(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    csrf = sign_in(app_client, tokens["responder"])
    form = {"csrf": csrf, "person": "cto", "start": "2024-01-15T07:00", "end": "2024-01-15T12:00"}
    answer = app_client.post("/ui/schedules/sre-oncall/overrides", data=form)
    assert answer.status_code == 200 and "CTO covers sre-oncall" in answer.text
    assert 'data-person="cto"' in answer.text
    backwards = {**form, "start": "2024-01-15T12:00", "end": "2024-01-15T07:00"}
    refused = app_client.post("/ui/schedules/sre-oncall/overrides", data=backwards)
    assert "an override ends after it starts" in refused.text
