"""`warroom component`, `warroom maintenance` and `warroom status export DIR`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from warroom.cli import statuspage
from warroom.cli.client import ApiClient
from warroom.cli.main import app
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.service.incidents import publishing
from warroom.settings import Settings

runner = CliRunner()


@pytest.fixture
def cli(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI talking to the test app through its in-process transport."""
    token = api.headers["Authorization"].removeprefix("Bearer ")
    client = ApiClient(Settings(url="http://testserver", token=token), transport=api._transport)
    monkeypatch.setattr(statuspage, "_client", lambda: client)
    yield runner


def test_a_component_is_set_for_two_hours_from_the_command_line(
    cli: CliRunner, api: TestClient
) -> None:
    result = cli.invoke(app, ["component", "set", "cdn", "partial_outage", "--for", "2h"])
    assert result.exit_code == 0, result.output
    assert "cdn: partial_outage until 2024-01-15 12:00:00" in result.output
    statuses = {
        c["id"]: c["status"] for c in api.get("/api/v2/components.json").json()["components"]
    }
    assert statuses["cdn"] == "partial_outage"
    assert cli.invoke(app, ["component", "clear", "cdn"]).exit_code == 0
    listed = cli.invoke(app, ["component", "list", "--json"])
    assert {c["id"]: c["override"] for c in json.loads(listed.output)}["cdn"] is None


def test_a_refused_component_status_exits_1_with_the_reason(cli: CliRunner) -> None:
    result = cli.invoke(app, ["component", "set", "cdn", "broken", "--for", "2h"])
    assert result.exit_code == 1


def test_a_maintenance_window_is_created_from_the_command_line(
    cli: CliRunner, api: TestClient
) -> None:
    result = cli.invoke(
        app,
        [
            "maintenance", "create", "Database upgrade",
            "--starts", "2024-01-16T02:00:00Z", "--ends", "2024-01-16T03:00:00Z",
            "--component", "database", "--message", "Read-only for a few minutes",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Database upgrade (scheduled)" in result.output
    windows = api.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert windows["scheduled_maintenances"][0]["name"] == "Database upgrade"
    listed = json.loads(cli.invoke(app, ["maintenance", "list", "--json"]).output)
    assert [m["title"] for m in listed] == ["Database upgrade"]


def test_status_export_writes_the_page_its_json_and_its_feed(ctx: Context, tmp_path: Path) -> None:
    reference = ctx.transact(
        incidents.declare,
        incidents.Declaration(title="Checkout <down>", severity=2, services=["payments"]),
        actor="t",
    ).reference
    ctx.transact(publishing.publish, reference, public_title="Checkout <down>", actor="t")
    out = tmp_path / "site"
    result = runner.invoke(
        app, ["--database-url", ctx.settings.database_url, "status", "export", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Checkout &lt;down&gt;" in (out / "index.html").read_text()
    summary = json.loads((out / "api/v2/summary.json").read_text())
    assert summary["incidents"][0]["name"] == "Checkout <down>"
    for name in ("status.json", "components.json", "incidents.json", "incidents/unresolved.json"):
        assert (out / "api/v2" / name).is_file()
    assert (out / "api/v2/scheduled-maintenances.json").is_file()
    assert (out / "status/feed.atom").read_text().startswith("<?xml")
