"""`warroom report list` and `warroom report show` against a real server: the reviews the
scheduler made on the 1st, one line each when piped, the kept Markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.api.test_kept_report_routes import january_reviewed_on_the_1st
from tests.server import running_server
from warroom.cli.main import app
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.tokens import create_token


@pytest.fixture
def cli(ctx: Context, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    january_reviewed_on_the_1st(ctx, clock)
    token = ctx.transact(create_token, "cli-viewer", "viewer")
    with running_server(ctx) as url:
        monkeypatch.setenv("WARROOM_URL", url)
        monkeypatch.setenv("WARROOM_TOKEN", token)
        yield CliRunner()


def test_report_list_prints_each_kept_review_on_one_line_when_piped(cli: CliRunner) -> None:
    listed = cli.invoke(app, ["report", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == "2024-01\tmonthly\t2024-02-01 00:00:01\t1\n"
    as_json = cli.invoke(app, ["report", "list", "--json"])
    assert json.loads(as_json.stdout) == [
        {"kind": "monthly", "period": "2024-01", "made_at": "2024-02-01T00:00:01Z", "incidents": 1}
    ]


def test_report_show_prints_the_kept_markdown_or_json(cli: CliRunner, tmp_path: Path) -> None:
    shown = cli.invoke(app, ["report", "show", "2024-01"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("# Monthly incident review: 2024-01\n")
    as_json = cli.invoke(app, ["report", "show", "2024-01", "--format", "json"])
    assert json.loads(as_json.stdout)["incidents"]["total"] == 1
    out = tmp_path / "review.md"
    saved = cli.invoke(app, ["report", "show", "2024-01", "--out", str(out)])
    assert saved.exit_code == 0 and out.read_text(encoding="utf-8") == shown.stdout


def test_report_show_of_a_month_not_reviewed_is_refused_with_the_reason(cli: CliRunner) -> None:
    missing = cli.invoke(app, ["report", "show", "2024-02"])
    assert missing.exit_code == 1
    assert "no monthly review of 2024-02 is kept" in missing.stderr
    assert cli.invoke(app, ["report", "show", "2024-01", "--format", "html"]).exit_code == 2
