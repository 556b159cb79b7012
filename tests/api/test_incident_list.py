"""The incident list of SPEC §4: newest first, a `limit`, a `cursor` and `Link: rel="next"`
that reach every incident stored, and the filters a responder searches by."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle
from warroom.service.incidents.listing import encode_cursor
from warroom.store.incident_list import ListPosition

LIST = "/api/v1/incidents"


def _declare(
    ctx: Context, title: str, severity: int = 4, summary: str = "", services: Sequence[str] = ()
) -> str:
    declaration = lifecycle.Declaration(title, severity, summary, services)
    return ctx.transact(lifecycle.declare, declaration, actor="test").reference


def _cursor(text: str) -> str:
    """A cursor made by hand, the way a client should never make one."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _declare_many(ctx: Context, clock: ManualClock, count: int) -> list[str]:
    """`count` incidents, some declared in the same second, as a busy day has them."""
    references = []
    with ctx.db.unit_of_work() as session:
        for number in range(count):
            if number % 3 == 0:
                clock.advance(timedelta(seconds=1))
            declaration = lifecycle.Declaration(f"Incident {number}", 4)
            references.append(lifecycle.declare(ctx, session, declaration, actor="test").reference)
    return references


def _next(answer: httpx.Response) -> str | None:
    found = answer.links.get("next")
    return None if found is None else str(found["url"])


def _references(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [incident["reference"] for incident in answer.json()]


def test_following_next_reaches_all_250_once_in_order_while_another_is_declared(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    declared = _declare_many(ctx, clock, 250)
    first = api.get(LIST, params={"status": "all", "limit": 100})
    seen = _references(first)
    following = _next(first)
    clock.advance(timedelta(minutes=1))
    newcomer = _declare(ctx, "Declared while someone pages")
    pages = 1
    while following is not None:
        answer = api.get(following)
        seen += _references(answer)
        following = _next(answer)
        pages += 1
    assert pages == 3
    assert seen == list(reversed(declared)), "each once, newest first"
    assert newcomer not in seen
    assert _references(api.get(LIST, params={"status": "all", "limit": 1})) == [newcomer]


def test_the_next_link_keeps_the_query_and_is_an_absolute_url(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    _declare_many(ctx, clock, 3)
    answer = api.get(LIST, params={"status": "all", "q": "incident", "limit": 2})
    following = _next(answer)
    assert following is not None and following.startswith("http://testserver/api/v1/incidents?")
    query = httpx.URL(following).params
    assert (query["status"], query["q"], query["limit"]) == ("all", "incident", "2")
    assert answer.headers["Link"].endswith('; rel="next"')
    last = api.get(following)
    assert len(last.json()) == 1 and "Link" not in last.headers


def test_the_list_holds_100_by_default_and_no_link_when_nothing_remains(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    _declare_many(ctx, clock, 101)
    answer = api.get(LIST)
    assert len(answer.json()) == 100 and _next(answer) is not None
    everything = api.get(LIST, params={"limit": 1000})
    assert len(everything.json()) == 101 and "Link" not in everything.headers


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "many"])
def test_a_limit_outside_1_to_1000_is_refused_naming_limit(api: TestClient, limit: str) -> None:
    answer = api.get(LIST, params={"limit": limit})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "limit"


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        _cursor("[]"),
        _cursor('{"declared_at": "2024-01-15T10:00:00+00:00", "id": 1}'),
        _cursor('["2024-01-15T10:00:00+00:00", "1"]'),
        _cursor('["2024-01-15T10:00:00+00:00", true]'),
        _cursor('["Monday", 1]'),
        _cursor('["0001-01-01T00:00:00+01:00", 1]'),
        _cursor('["2024-01-15T10:00:00+00:00", 99999999999999999999999]'),
    ],
)
def test_a_cursor_this_server_did_not_give_is_a_400_naming_cursor(
    api: TestClient, cursor: str
) -> None:
    answer = api.get(LIST, params={"cursor": cursor})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["field"] == "cursor"


def test_a_cursor_past_every_incident_gives_an_empty_page(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    _declare(ctx, "API down")
    oldest = ListPosition(clock.now() - timedelta(days=1), 1)
    answer = api.get(LIST, params={"cursor": encode_cursor(oldest)})
    assert answer.status_code == 200 and answer.json() == []


def test_q_finds_text_in_title_summary_or_reference_in_any_case(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    checkout = _declare(ctx, "Checkout FAILS for EU cards")
    clock.advance(timedelta(minutes=1))
    login = _declare(ctx, "Login slow", summary="p99 latency of the auth service is 4 s")
    clock.advance(timedelta(minutes=1))
    _declare(ctx, "Search down")
    assert _references(api.get(LIST, params={"q": "checkout fails"})) == [checkout]
    assert _references(api.get(LIST, params={"q": "AUTH SERVICE"})) == [login]
    assert _references(api.get(LIST, params={"q": login[-5:]})) == [login]


def test_percent_and_underscore_in_q_are_themselves_not_wildcards(
    api: TestClient, ctx: Context
) -> None:
    disk = _declare(ctx, "Disk 100% full on db_primary")
    _declare(ctx, "Disk 1000 IOPS on dbXprimary")
    assert _references(api.get(LIST, params={"q": "100%"})) == [disk]
    assert _references(api.get(LIST, params={"q": "db_primary"})) == [disk]
    assert _references(api.get(LIST, params={"q": "%"})) == [disk]
    assert _references(api.get(LIST, params={"q": "\\"})) == []


def test_service_finds_incidents_whose_services_include_it(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    both = _declare(ctx, "Checkout and database", services=["payments", "database"])
    clock.advance(timedelta(minutes=1))
    api_only = _declare(ctx, "API errors", services=["api"])
    clock.advance(timedelta(minutes=1))
    _declare(ctx, "No service named")
    assert _references(api.get(LIST, params={"service": "database"})) == [both]
    assert _references(api.get(LIST, params={"service": "api"})) == [api_only]
    assert _references(api.get(LIST, params={"service": "data"})) == []
    assert len(_references(api.get(LIST, params={"service": "", "q": ""}))) == 3, "no filter"


def test_since_and_until_bound_the_declaration_time(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    monday = _declare(ctx, "Monday")
    clock.advance(timedelta(days=1))
    tuesday = _declare(ctx, "Tuesday")
    clock.advance(timedelta(days=1))
    wednesday = _declare(ctx, "Wednesday")
    window = {"since": "2024-01-16T10:00:00Z", "until": "2024-01-17T10:00:00Z"}
    assert _references(api.get(LIST, params=window)) == [tuesday], "since in, until out"
    assert _references(api.get(LIST, params={"since": "2024-01-16"})) == [wednesday, tuesday]
    assert _references(api.get(LIST, params={"until": "2024-01-15T11:00:00+01:00"})) == []
    assert _references(api.get(LIST, params={"until": "2024-01-16"})) == [monday]


def test_filters_combine_and_pages_keep_them(
    api: TestClient, ctx: Context, clock: ManualClock
) -> None:
    wanted = []
    for number in range(5):
        clock.advance(timedelta(minutes=1))
        wanted.append(_declare(ctx, f"Payments slow {number}", 2, services=["payments"]))
        _declare(ctx, f"Payments noise {number}", 3, services=["payments"])
        _declare(ctx, f"API slow {number}", 2, services=["api"])
    ctx.transact(lifecycle.resolve, wanted[0], resolution="fixed", actor="test")
    params = {"status": "all", "severity": "2", "service": "payments", "q": "slow", "limit": "2"}
    answer, seen = api.get(LIST, params=params), []
    while True:
        seen += _references(answer)
        following = _next(answer)
        if following is None:
            break
        answer = api.get(following)
    assert seen == list(reversed(wanted))
    open_only = {**params, "status": "open", "limit": "10"}
    assert _references(api.get(LIST, params=open_only)) == list(reversed(wanted[1:]))


def test_bad_filters_are_refused_naming_the_field(api: TestClient) -> None:
    refusals = {
        "status": {"status": "closed"},
        "severity": {"severity": "7"},
        "since": {"since": "yesterday"},
        "until": {"since": "2024-01-16T00:00:00Z", "until": "2024-01-15T00:00:00Z"},
        "q": {"q": "a\x00b"},
        "service": {"service": "x" * 501},
    }
    for field, params in refusals.items():
        answer = api.get(LIST, params=params)
        assert 400 <= answer.status_code < 500, (field, answer.text)
        assert answer.json()["error"]["field"] == field, answer.text
