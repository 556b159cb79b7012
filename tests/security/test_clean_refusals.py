"""The inputs that once made a 500: each is now a 4xx naming its field."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient

from tests.api.test_intake_routes import GENERIC, bearer, keys
from warroom.core.ack_links import _sign
from warroom.service.context import Context

__all__ = ["keys"]


def _field(answer: object, status: int) -> object:
    response = answer  # a httpx.Response
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    return response.json()["error"]["field"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_ack_link_with_non_ascii_characters_is_refused_as_not_valid(
    app_client: TestClient, method: str
) -> None:
    answer = getattr(app_client, method)("/ack/abc.d\u00e9f\u2603")
    assert answer.status_code == 422
    assert "not valid" in answer.text


def test_a_genuinely_signed_ack_link_with_a_huge_expiry_is_refused_as_not_valid(
    app_client: TestClient, ctx: Context
) -> None:
    claim = json.dumps({"m": "esc:1:page", "e": 10**30}).encode()
    payload = base64.urlsafe_b64encode(claim).decode().rstrip("=")
    answer = app_client.get(f"/ack/{payload}.{_sign(ctx.settings.secret, payload)}")
    assert answer.status_code == 422
    assert "not valid" in answer.text


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "1969-12"])
def test_a_month_outside_the_calendar_is_refused_naming_month(api: TestClient, month: str) -> None:
    answer = api.get("/api/v1/reports/monthly", params={"month": month})
    assert _field(answer, 422) == "month"


def test_an_action_item_id_beyond_any_row_is_refused_naming_it(api: TestClient) -> None:
    answer = api.patch("/api/v1/action-items/99999999999999999999999", json={"status": "done"})
    assert _field(answer, 422) == "item_id"


def test_a_severity_filter_beyond_any_severity_is_refused_naming_it(api: TestClient) -> None:
    answer = api.get("/api/v1/incidents", params={"severity": "9" * 30})
    assert _field(answer, 422) == "severity"


def test_a_declared_severity_of_5000_digits_is_refused_naming_it(api: TestClient) -> None:
    body = b'{"title": "API down", "severity": ' + b"5" * 5000 + b"}"
    answer = api.post(
        "/api/v1/incidents", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422)
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("severity", ["5" * 5000, "\u00b2"], ids=["5000 digits", "superscript"])
def test_a_generic_alert_whose_severity_is_no_number_we_know_is_refused_naming_it(
    app_client: TestClient, keys: dict[str, str], severity: str
) -> None:
    answer = app_client.post(
        GENERIC,
        json={"title": "disk full", "severity": severity},
        headers=bearer(keys["generic"]),
    )
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert "severity" in answer.text


@pytest.mark.parametrize(
    "due",
    ["0001-01-01T00:00:00+14:00", "99999999999d", "999999999999999999999999999d"],
    ids=["before year 1 in UTC", "beyond the calendar", "beyond any timedelta"],
)
def test_an_action_item_due_beyond_the_calendar_is_refused_naming_due(
    api: TestClient, due: str
) -> None:
    ref = api.post("/api/v1/incidents", json={"title": "x", "severity": 1}).json()["reference"]
    item = {"title": "t", "owner": "sre-lead", "due": due}
    assert _field(api.post(f"/api/v1/incidents/{ref}/action-items", json=item), 422) == "due"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "major_outage", "for": "99999999999d"}, "for"),
        ({"status": "major_outage", "until": "0001-01-01T00:00:00+14:00"}, "until"),
    ],
)
def test_a_component_override_beyond_the_calendar_is_refused_naming_it(
    api: TestClient, body: dict[str, str], field: str
) -> None:
    component = api.get("/api/v1/components").json()[0]["id"]
    answer = api.post(f"/api/v1/components/{component}/override", json=body)
    assert _field(answer, 422) == field


def test_a_maintenance_starting_before_year_1_in_utc_is_refused_naming_it(
    api: TestClient,
) -> None:
    body = {
        "title": "m",
        "starts_at": "0001-01-01T00:00:00+14:00",
        "ends_at": "2024-02-01T00:00:00Z",
    }
    assert _field(api.post("/api/v1/maintenances", json=body), 422) == "starts_at"
