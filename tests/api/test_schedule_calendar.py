"""Calendar feeds (SPEC §8): a secret URL shown once, RFC 5545 a calendar application can
subscribe to (parsed back here with icalendar), stable UIDs, revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.schedule_playbook import NEW_YORK, new_york, scheduled_playbook
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.session import Database

CALENDAR = "/api/v1/schedules/sre-oncall/calendar"


@pytest.fixture
def ctx(db: Database, clock: ManualClock, settings: Settings) -> Context:
    clock.set(new_york("2024-01-15T08:00"))
    return Context(db=db, playbook=scheduled_playbook(), clock=clock, settings=settings)


def _feed(client: TestClient, url: str) -> Calendar:
    answer = client.get(url.removeprefix("http://127.0.0.1:8080"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


def test_a_persons_feed_has_their_shifts_of_the_next_twelve_weeks(api: TestClient) -> None:
    made = api.post(CALENDAR, json={"person": "sre-lead"})
    assert made.status_code == 201, made.text
    api.headers.pop("Authorization")  # a calendar application has only the URL
    events = _feed(api, made.json()["url"]).walk("VEVENT")
    starts = [e.decoded("dtstart").astimezone(NEW_YORK) for e in events]
    assert [f"{s:%a %Y-%m-%d %H:%M}" for s in starts] == [
        "Mon 2024-01-22 09:00",
        "Mon 2024-02-12 09:00",
        "Mon 2024-03-04 09:00",
        "Mon 2024-03-25 09:00",  # after the March change: still 09:00 local
    ]
    march = events[2]
    assert march.decoded("dtend") - march.decoded("dtstart") == timedelta(hours=167)
    assert all("SRE Team Lead" in str(e["summary"]) for e in events)


def test_uids_are_stable_from_one_fetch_to_the_next(api: TestClient, clock: ManualClock) -> None:
    url = api.post(CALENDAR, json={}).json()["url"]
    first = [str(e["uid"]) for e in _feed(api, url).walk("VEVENT")]
    clock.advance(timedelta(hours=3))  # into the next shift: the one before drops out
    later = [str(e["uid"]) for e in _feed(api, url).walk("VEVENT")]
    assert len(set(first)) == len(first) and later[:-1] == first[1 : len(later)]


def test_a_revoked_feed_stops_answering_and_the_secret_is_not_listed(api: TestClient) -> None:
    made = api.post(CALENDAR, json={}).json()
    listed = api.get(CALENDAR).json()
    assert [f["url"] for f in listed] == [None]
    assert api.delete(f"{CALENDAR}/{made['id']}").status_code == 200
    assert api.get(made["url"].removeprefix("http://127.0.0.1:8080")).status_code == 404
    assert api.get("/calendar/wrcal_guess.ics").status_code == 404


def test_a_feed_for_an_unknown_person_is_refused_naming_person(api: TestClient) -> None:
    refused = api.post(CALENDAR, json={"person": "nobody"})
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "person")
