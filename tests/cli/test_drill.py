"""`warroom drill` prints the steps of the live planner, as a table or JSON; sends nothing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warroom.cli import state
from warroom.cli.main import app


@pytest.fixture(autouse=True)
def _built_in_playbook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARROOM_PLAYBOOK", raising=False)
    monkeypatch.setattr(state, "_settings", None)


def test_the_json_lists_each_step_with_its_offset_from_declaration() -> None:
    result = CliRunner().invoke(
        app, ["drill", "--severity", "1", "--ack-after", "5m", "--resolve-after", "90m", "--json"]
    )
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    assert set(steps[0]) == {"at_seconds", "action", "level", "person", "method", "reason"}
    assert steps[0] == {
        "at_seconds": 0,
        "action": "page",
        "level": None,
        "person": "sre-lead",
        "method": "phone",
        "reason": "declared Sev1",
    }
    actions = {s["action"] for s in steps}
    assert actions <= {
        "page",
        "heads_up",
        "notify",
        "retry",
        "sla_breached",
        "acknowledged",
        "reminder",
        "resolved",
    }
    assert {"page", "heads_up", "acknowledged", "notify", "resolved"} <= actions
    assert [s["at_seconds"] for s in steps] == sorted(s["at_seconds"] for s in steps)
    assert steps[-1]["action"] == "resolved" and steps[-1]["at_seconds"] == 5400


def test_the_table_names_people_and_their_contact() -> None:
    result = CliRunner().invoke(app, ["drill", "-s", "2", "--horizon", "45m"])
    assert result.exit_code == 0
    assert "SRE Team" in result.stdout and "+1-555-0101" in result.stdout


@pytest.mark.parametrize(
    "args", [["-s", "7"], ["-s", "1", "--ack-after", "soon"], ["--ack-after", "5m"]]
)
def test_bad_arguments_are_usage_errors(args: list[str]) -> None:
    assert CliRunner().invoke(app, ["drill", *args]).exit_code == 2
