"""The web UI's sign-in as a hostile client probes it (issue 18): the cookie is a
server-side session id, never the API token; every POST needs our own origin and the
session's CSRF token; a session ends on sign-out, on expiry and with its token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.ui_client import OWN_ORIGIN, csrf_of, sign_in
from warroom.api.app import create_app
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle, reading
from warroom.service.tokens import create_token, revoke_token
from warroom.store.models import UiSession
from warroom.web.sessions import COOKIE

PAGE = "/ui/incidents/2024-01-15-001"
FOREIGN = "https://attacker.example"


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token(ctx: Context) -> str:
    return ctx.transact(create_token, "on-call", "responder")


@pytest.fixture
def incident(ctx: Context) -> str:
    return ctx.transact(
        lifecycle.declare, lifecycle.Declaration(title="Checkout down", severity=2), actor="test"
    ).reference


def _updates(ctx: Context, reference: str) -> int:
    return sum(e.kind == "update_posted" for e in ctx.read(reading.get_timeline, reference))


def _signed_out(location: str | None) -> bool:
    return location == "/ui/login"


def test_the_session_cookie_holds_a_random_session_id_and_never_the_api_token(
    ctx: Context, client: TestClient, token: str
) -> None:
    client.headers["Origin"] = OWN_ORIGIN
    answer = client.post("/ui/login", data={"token": token}, follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    session_id = client.cookies[COOKIE]
    assert token not in cookie and session_id != token
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    with ctx.db.reader() as session:
        stored = session.execute(select(UiSession.id_hash)).scalars().all()
    assert len(stored) == 1 and session_id not in stored[0]


def test_the_session_cookie_is_secure_when_the_public_url_is_https(
    ctx: Context, token: str
) -> None:
    https = replace(ctx, settings=replace(ctx.settings, public_url="https://warroom.example"))
    with TestClient(create_app(https), base_url="https://warroom.example") as client:
        client.headers["Origin"] = "https://warroom.example"
        answer = client.post("/ui/login", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_a_cross_origin_text_plain_post_carrying_the_cookie_posts_no_update(
    ctx: Context, client: TestClient, token: str, incident: str
) -> None:
    csrf = sign_in(client, token)
    answer = client.post(
        f"{PAGE}/update",
        content=f"csrf={csrf}&message=pwned&audience=public",
        headers={"Origin": FOREIGN, "Content-Type": "text/plain"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert _updates(ctx, incident) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN},
        {"Origin": "null"},
        {"Origin": "", "Referer": f"{FOREIGN}/page"},
        {"Origin": ""},
    ],
    ids=["foreign origin", "opaque origin", "foreign referer", "neither"],
)
def test_a_post_not_from_our_own_origin_is_refused(
    ctx: Context, client: TestClient, token: str, incident: str, headers: dict[str, str]
) -> None:
    csrf = sign_in(client, token)
    data = {"csrf": csrf, "message": "pwned", "audience": "internal"}
    answer = client.post(f"{PAGE}/update", data=data, headers=headers, follow_redirects=False)
    assert answer.status_code == 403 and "Nothing was changed" in answer.text
    assert _updates(ctx, incident) == 0


def test_a_post_with_only_a_referer_from_our_own_origin_is_accepted(
    ctx: Context, client: TestClient, token: str, incident: str
) -> None:
    csrf = sign_in(client, token)
    data = {"csrf": csrf, "message": "Failing over", "audience": "internal"}
    headers = {"Origin": "", "Referer": f"{OWN_ORIGIN}{PAGE}"}
    answer = client.post(f"{PAGE}/update", data=data, headers=headers, follow_redirects=False)
    assert answer.status_code == 303 and _updates(ctx, incident) == 1


def test_sign_in_from_a_foreign_page_is_refused(client: TestClient, token: str) -> None:
    answer = client.post("/ui/login", data={"token": token}, headers={"Origin": FOREIGN})
    assert answer.status_code == 403 and COOKIE not in client.cookies


@pytest.mark.parametrize("offered", [None, "", "0" * 64, "é" * 64], ids=repr)
def test_a_post_without_the_sessions_csrf_token_is_refused(
    ctx: Context, client: TestClient, token: str, incident: str, offered: str | None
) -> None:
    sign_in(client, token)
    data = {"message": "pwned", "audience": "internal"}
    if offered is not None:
        data["csrf"] = offered
    answer = client.post(f"{PAGE}/update", data=data, follow_redirects=False)
    assert answer.status_code == 403 and "CSRF" in answer.text
    assert _updates(ctx, incident) == 0


def test_every_form_on_the_pages_carries_the_csrf_token(
    client: TestClient, token: str, incident: str
) -> None:
    csrf = sign_in(client, token)
    for path in ("/ui", PAGE):
        page = client.get(path).text
        assert page.count('method="post"') == page.count(f'name="csrf" value="{csrf}"') > 0


def test_after_sign_out_the_old_cookie_signs_nobody_in(
    ctx: Context, client: TestClient, token: str, incident: str
) -> None:
    csrf = sign_in(client, token)
    old = client.cookies[COOKIE]
    assert client.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert COOKIE not in client.cookies
    client.cookies.set(COOKIE, old)
    page = client.get("/ui", follow_redirects=False)
    assert _signed_out(page.headers.get("location"))
    data = {"csrf": csrf, "message": "replayed", "audience": "internal"}
    post = client.post(f"{PAGE}/update", data=data, follow_redirects=False)
    assert _signed_out(post.headers.get("location")) and _updates(ctx, incident) == 0


def test_a_session_idle_for_twelve_hours_has_ended(
    client: TestClient, token: str, clock: ManualClock
) -> None:
    sign_in(client, token)
    clock.advance(timedelta(hours=11, minutes=59))
    assert client.get("/ui", follow_redirects=False).status_code == 200
    clock.advance(timedelta(hours=11, minutes=59))
    assert client.get("/ui", follow_redirects=False).status_code == 200
    clock.advance(timedelta(hours=12))
    assert _signed_out(client.get("/ui", follow_redirects=False).headers.get("location"))


def test_a_session_in_daily_use_ends_seven_days_after_sign_in(
    client: TestClient, token: str, clock: ManualClock
) -> None:
    sign_in(client, token)
    for _ in range(6 * 2):
        clock.advance(timedelta(hours=11))
        assert client.get("/ui", follow_redirects=False).status_code == 200
    clock.advance(timedelta(days=7) - 12 * timedelta(hours=11))
    assert _signed_out(client.get("/ui", follow_redirects=False).headers.get("location"))


def test_revoking_the_api_token_ends_its_sessions(
    ctx: Context, client: TestClient, token: str
) -> None:
    csrf = sign_in(client, token)
    ctx.transact(revoke_token, "on-call")
    assert _signed_out(client.get("/ui", follow_redirects=False).headers.get("location"))
    data = {"csrf": csrf, "title": "x", "severity": "2"}
    declared = client.post("/ui/incidents", data=data, follow_redirects=False)
    assert _signed_out(declared.headers.get("location"))
    assert ctx.read(reading.list_incidents) == []


def test_a_new_sign_in_gets_a_new_session_and_csrf_token(client: TestClient, token: str) -> None:
    first = sign_in(client, token)
    assert csrf_of(client.get("/ui").text) == first
    assert sign_in(client, token) != first
