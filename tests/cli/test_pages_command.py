"""`warroom pages REF`: the outbox of an incident through the API."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from warroom.cli import client as client_module
from warroom.cli.main import app

ROWS = [
    {
        "key": "esc:1:page:incident_commander:sre-lead:0",
        "kind": "page",
        "person": "sre-lead",
        "method": "phone",
        "address": "+1-555-0101",
        "state": "failed",
        "attempts": 4,
        "error": "connection refused",
        "created_at": "2024-01-15T10:00:00Z",
        "sent_at": None,
        "subject": "page",
    }
]


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=ROWS)

    original = client_module.ApiClient.__init__

    def init(self: client_module.ApiClient, settings: object, transport: object = None) -> None:
        original(self, settings, transport=httpx.MockTransport(handler))  # type: ignore[arg-type]

    monkeypatch.setattr(client_module.ApiClient, "__init__", init)
    return seen


def test_pages_lists_each_message_with_state_attempts_and_error(fake_api: list[str]) -> None:
    result = CliRunner().invoke(app, ["pages", "2024-01-15-001"])
    assert result.exit_code == 0, result.output
    assert fake_api == ["/api/v1/incidents/2024-01-15-001/pages"]
    assert "sre-lead" in result.output and "failed" in result.output
    assert "refused" in result.output  # the error column (wrapped by the table)


def test_pages_json_is_the_api_answer(fake_api: list[str]) -> None:
    result = CliRunner().invoke(app, ["pages", "2024-01-15-001", "--json"])
    assert json.loads(result.output) == ROWS
