"""Local commands: playbook check/show/export and tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from warroom.cli.main import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("WARROOM_PLAYBOOK", raising=False)
    return CliRunner()


def test_export_writes_a_playbook_that_checks_clean(runner: CliRunner, tmp_path: Path) -> None:
    exported = runner.invoke(app, ["playbook", "export"])
    assert exported.exit_code == 0 and "SRE Team Lead" in exported.stdout
    path = tmp_path / "playbook.yaml"
    path.write_text(exported.stdout)
    checked = runner.invoke(app, ["playbook", "check", str(path)])
    assert checked.exit_code == 0 and "ok" in checked.stdout


def test_check_prints_every_problem_with_its_path_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    raw = yaml.safe_load(runner.invoke(app, ["playbook", "export"]).stdout)
    raw["roles"]["incident_commander"]["backup"] = "nobody"
    raw["severities"][1]["escalation"][0]["level"] = "vp"
    raw["severities"][2]["update_every"] = "often"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = runner.invoke(app, ["playbook", "check", str(path)])
    assert result.exit_code == 1
    assert "roles.incident_commander.backup: names unknown person 'nobody'" in result.stderr
    assert "severities.2.update_every" in result.stderr


def test_show_prints_the_effective_playbook(runner: CliRunner) -> None:
    result = runner.invoke(app, ["playbook", "show"])
    assert result.exit_code == 0
    shown = yaml.safe_load(result.stdout)
    assert shown["severities"][1]["response_time"] == "15m"
    assert shown["business_hours"]["start"] == "09:00"


def test_a_token_is_printed_once_listed_without_secret_and_revoked(runner: CliRunner) -> None:
    created = runner.invoke(app, ["token", "create", "--name", "ops", "--role", "admin"])
    assert created.exit_code == 0
    secret = created.stdout.strip()
    assert secret.startswith("wr_")
    listed = runner.invoke(app, ["token", "list", "--json"])
    assert "ops" in listed.stdout and secret not in listed.stdout
    assert runner.invoke(app, ["token", "create", "--name", "ops"]).exit_code == 1
    assert runner.invoke(app, ["token", "create", "--name", "x", "--role", "god"]).exit_code == 1
    assert runner.invoke(app, ["token", "revoke", "ops"]).exit_code == 0
    assert runner.invoke(app, ["token", "revoke", "ghost"]).exit_code == 1


def test_db_upgrade_migrates(runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.stdout


def test_check_names_an_auto_published_severity_the_playbook_does_not_have(
    runner: CliRunner, tmp_path: Path
) -> None:
    raw = yaml.safe_load(runner.invoke(app, ["playbook", "export"]).stdout)
    raw["communication"]["status_page"]["auto_publish"] = [1, 7]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = runner.invoke(app, ["playbook", "check", str(path)])
    assert result.exit_code == 1
    assert "communication.status_page.auto_publish[1]: unknown severity 7" in result.stderr


def test_check_reports_the_gaps_of_a_schedule_in_the_next_four_weeks(
    runner: CliRunner, tmp_path: Path
) -> None:
    raw = yaml.safe_load(runner.invoke(app, ["playbook", "export"]).stdout)
    weekends = {"rotation": {"length": "1w", "start": "2024-01-01T00:00", "people": ["dba"]},
                "restrict": {"weekdays": ["sat", "sun"]}}  # fmt: skip
    raw["schedules"] = {"weekends": {"layers": [weekends]}}
    path = tmp_path / "gaps.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = runner.invoke(app, ["playbook", "check", str(path)])
    assert result.exit_code == 1
    assert "schedules.weekends: nobody is on call from" in result.stderr
