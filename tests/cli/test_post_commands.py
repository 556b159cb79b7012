"""`warroom import`: a summary at the end, refused lines named with their numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.service.test_import_and_drills import past_incident
from tests.service.test_postmortem import resolved_sev2
from warroom.api.app import create_app
from warroom.cli import post as post_cli
from warroom.cli.client import ApiClient
from warroom.cli.main import app
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.post_incident import action_items
from warroom.service.tokens import create_token
from warroom.settings import Settings


def test_import_reports_each_refused_line_and_imports_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "past.jsonl"
    source.write_text(past_incident() + "\n{broken\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'w.db'}"
    result = CliRunner().invoke(app, ["--database-url", url, "import", str(source)])
    assert result.exit_code == 1
    assert "imported 1 incident(s), refused 1" in result.output
    assert "line 2: refused: not JSON" in result.output


@pytest.fixture
def cli_api(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The CLI's API client talking to an in-process app as a responder."""
    token = ctx.transact(create_token, "cli-responder", "responder")
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"

        def make(settings: object) -> ApiClient:
            api_client = ApiClient(Settings(database_url="sqlite://", secret="x"))
            api_client._http = client
            return api_client

        monkeypatch.setattr(post_cli, "ApiClient", make)
        yield client


def test_postmortem_actions_and_the_monthly_report_from_the_command_line(
    ctx: Context, clock: ManualClock, cli_api: TestClient, tmp_path: Path
) -> None:
    ref = resolved_sev2(ctx, clock)
    ctx.transact(
        action_items.create_item, ref, title="Add canary", owner="sre-lead", due="1d", actor="b"
    )
    runner = CliRunner()
    out = tmp_path / "pm.md"
    assert runner.invoke(app, ["postmortem", ref, "--out", str(out)]).exit_code == 0
    assert "## Lessons Learned" in out.read_text(encoding="utf-8")
    clock.advance(timedelta(days=2))
    listed = runner.invoke(app, ["actions", "--overdue", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["title"] == "Add canary"
    report = runner.invoke(app, ["report", "monthly", "--month", "2024-01", "--format", "json"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["incidents"]["total"] == 1
    refused = runner.invoke(app, ["report", "monthly", "--month", "Jan", "--format", "json"])
    assert refused.exit_code == 1
