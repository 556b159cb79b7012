"""The responders' web UI: sign in with a token, declare, act, see the timeline."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.ui_client import OWN_ORIGIN, sign_in


def test_pages_without_a_token_lead_to_sign_in(app_client: TestClient) -> None:
    answer = app_client.get("/ui", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/login"
    wrong = app_client.post("/ui/login", data={"token": "wrong"}, headers={"Origin": OWN_ORIGIN})
    assert wrong.status_code == 401


def test_a_responder_declares_acknowledges_and_resolves_from_the_browser(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    csrf = sign_in(app_client, tokens["responder"])
    page = app_client.post(
        "/ui/incidents",
        data={
            "csrf": csrf,
            "title": "Checkout <b>down</b>",
            "severity": "1",
            "services": "payments",
        },
    )
    assert page.status_code == 200
    assert "Incident declared" in page.text and "2024-01-15-001" in page.text
    assert "Checkout &lt;b&gt;down&lt;/b&gt;" in page.text
    assert "🚨 INCIDENT ALERT" in page.text
    ref = "/ui/incidents/2024-01-15-001"
    acknowledged = app_client.post(f"{ref}/acknowledge", data={"csrf": csrf}).text
    assert "Acknowledge recorded" in acknowledged
    assert "INCIDENT RESOLVED" not in acknowledged
    answer = app_client.post(f"{ref}/status", data={"csrf": csrf, "status": "investigating"})
    assert "already investigating" in answer.text
    answer = app_client.post(f"{ref}/resolve", data={"csrf": csrf, "resolution": "Failed over"})
    assert "Resolve recorded" in answer.text and "✅ INCIDENT RESOLVED" in answer.text
    assert "2024-01-15-001" in app_client.get("/ui").text


def test_a_responder_engages_an_sme_and_hands_a_role_over_from_the_browser(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    csrf = sign_in(app_client, tokens["responder"])
    app_client.post("/ui/incidents", data={"csrf": csrf, "title": "Slow queries", "severity": "2"})
    ref = "/ui/incidents/2024-01-15-001"
    page = app_client.get(ref).text
    assert (
        'action="/ui/incidents/2024-01-15-001/engage"' in page and "Database Administrator" in page
    )
    engaged = app_client.post(f"{ref}/engage", data={"csrf": csrf, "sme": "database"}).text
    assert "Engage recorded" in engaged and "sme_engaged" in engaged
    handed = app_client.post(
        f"{ref}/role", data={"csrf": csrf, "role": "technical_lead", "person": "frontend-lead"}
    ).text
    assert "Role recorded" in handed and "Senior Frontend Engineer" in handed
    unknown = app_client.post(f"{ref}/engage", data={"csrf": csrf, "sme": "networking"}).text
    assert "unknown SME" in unknown


def test_a_viewer_sees_but_cannot_act(app_client: TestClient, tokens: dict[str, str]) -> None:
    csrf = sign_in(app_client, tokens["viewer"])
    answer = app_client.post("/ui/incidents", data={"csrf": csrf, "title": "x", "severity": "2"})
    assert "needs a responder token" in answer.text
    assert "No open incidents" in answer.text


def test_an_unknown_incident_page_says_so(app_client: TestClient, tokens: dict[str, str]) -> None:
    sign_in(app_client, tokens["viewer"])
    answer = app_client.get("/ui/incidents/2024-01-15-404")
    assert answer.status_code == 404 and "no incident" in answer.text


def test_a_responder_publishes_an_incident_from_its_page(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    csrf = sign_in(app_client, tokens["responder"])
    app_client.post("/ui/incidents", data={"csrf": csrf, "title": "kafka-3 lag", "severity": "2"})
    ref = "/ui/incidents/2024-01-15-001"
    page = app_client.get(ref).text
    assert f'action="{ref}/publish"' in page and "Not public" in page
    refused = app_client.post(f"{ref}/publish", data={"csrf": csrf, "public_title": ""}).text
    assert "public_title must not be empty" in refused
    published = app_client.post(
        f"{ref}/publish",
        data={"csrf": csrf, "public_title": "Delayed notifications", "message": "On it."},
    ).text
    assert "Publish recorded" in published and "Public since" in published
    assert f'action="{ref}/publish"' not in published
    status = app_client.get("/status").text
    assert "Delayed notifications" in status and "kafka-3" not in status
