"""`warroom drill` prints the steps of the live planner, as a table or JSON; sends nothing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warroom.cli import output
from warroom.cli.main import app


@pytest.fixture(autouse=True)
def _built_in_playbook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARROOM_PLAYBOOK", raising=False)


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


def test_the_table_names_people_their_role_and_their_contact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(output.console, "_width", 200)
    result = CliRunner().invoke(app, ["drill", "-s", "2", "--horizon", "45m"])
    assert result.exit_code == 0
    first_page = next(line for line in result.stdout.splitlines() if "+0:00" in line)
    for cell in ("page", "incident_commander", "SRE Team Lead", "phone +1-555-0101"):
        assert cell in first_page
    assert "+0:30" in result.stdout and "+0:45" not in result.stdout


@pytest.mark.parametrize(
    "args", [["-s", "7"], ["-s", "1", "--ack-after", "soon"], ["--ack-after", "5m"]]
)
def test_bad_arguments_are_usage_errors(args: list[str]) -> None:
    assert CliRunner().invoke(app, ["drill", *args]).exit_code == 2


def test_an_unknown_severity_names_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["drill", "--severity", "9"])
    assert result.exit_code == 2
    assert "--severity: 9 is not in the playbook (known: 1, 2, 3, 4)" in result.output


def test_a_bad_duration_names_the_option_and_the_accepted_forms() -> None:
    result = CliRunner().invoke(app, ["drill", "-s", "1", "--resolve-after", "1 hour"])
    assert result.exit_code == 2
    assert "--resolve-after" in result.output and "15m" in result.output


def test_with_failed_attempts_the_third_reaches_the_next_level_at_15_minutes() -> None:
    args = ["drill", "-s", "3", "--ack-after", "2m", "--failed-attempts", "3", "--json"]
    steps = json.loads(CliRunner().invoke(app, args).stdout)
    notify = [(s["at_seconds"], s["level"]) for s in steps if s["action"] == "notify"]
    assert notify[0] == (900, "team_lead")


def test_a_sev4_declared_friday_evening_pages_monday_at_0900_and_breaches_nothing_if_answered() -> (
    None
):
    result = CliRunner().invoke(
        app,
        [
            "drill",
            "-s",
            "4",
            "--declared-at",
            "2024-01-19T18:00:00+00:00",
            "--ack-after",
            "5m",
            "--resolve-after",
            "64h",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    page = next(s for s in steps if s["action"] == "page")
    assert page["at_seconds"] == 63 * 3600  # Friday 18:00 to Monday 09:00
    assert not [s for s in steps if s["action"] == "sla_breached"]


def test_a_drill_declared_at_a_moment_shows_each_steps_local_time() -> None:
    result = CliRunner().invoke(
        app,
        ["drill", "-s", "4", "--declared-at", "2024-01-19T18:00", "--horizon", "1h"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Mon 2024-01-22 09:00" in result.stdout


def test_a_bad_declared_at_is_a_usage_error_naming_the_option() -> None:
    result = CliRunner().invoke(app, ["drill", "-s", "4", "--declared-at", "Friday"])
    assert result.exit_code == 2
    assert "--declared-at" in result.output
