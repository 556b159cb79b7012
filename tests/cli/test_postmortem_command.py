"""`warroom postmortem REF --json` prints the post-mortem as the API gives it for
`Accept: application/json`: status, owner, due and published times, and the Markdown."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner, Result

from warroom.cli.main import app
from warroom.clock import ManualClock


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, list(args))


def resolved_with_prevention(cli: CliRunner, clock: ManualClock) -> str:
    ref = run(cli, "declare", "Checkout errors", "-s", "2").stdout.strip()
    clock.advance(timedelta(minutes=35))
    resolving = ("--resolution", "Rolled back", "--prevention", "Index checks in CI")
    assert run(cli, "resolve", ref, *resolving).exit_code == 0
    return ref


def test_postmortem_json_prints_its_status_owner_dates_and_markdown(
    cli: CliRunner, clock: ManualClock
) -> None:
    ref = resolved_with_prevention(cli, clock)
    result = run(cli, "postmortem", ref, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["status"], document["owner"]) == ("draft", "sre-lead")
    assert document["due_at"] == "2024-01-17T10:35:00Z" and document["published_at"] is None
    assert document["markdown"].startswith(f"# Post-mortem: {ref}")


def test_postmortem_json_can_be_saved_and_refuses_to_be_html_too(
    cli: CliRunner, clock: ManualClock, tmp_path: Path
) -> None:
    ref = resolved_with_prevention(cli, clock)
    out = tmp_path / "pm.json"
    assert run(cli, "postmortem", ref, "--json", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "draft"
    refused = run(cli, "postmortem", ref, "--json", "--html")
    assert refused.exit_code == 2 and "do not go together" in refused.stderr
