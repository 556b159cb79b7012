"""`--json` on every command that prints something (SPEC §7: JSON for scripts): what a
person reads, as data, with the same exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from tests.server import running_server
from warroom.cli.main import app
from warroom.intake import group_commit
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.tokens import create_token


@pytest.fixture
def run(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run a command against the test database (local commands) and a real server on it."""
    token = ctx.transact(create_token, "cli", "admin")
    runner = CliRunner()
    with running_server(ctx) as url:
        monkeypatch.setenv("WARROOM_URL", url)
        monkeypatch.setenv("WARROOM_TOKEN", token)
        monkeypatch.setenv("WARROOM_DATABASE_URL", ctx.settings.database_url)
        monkeypatch.delenv("WARROOM_PLAYBOOK", raising=False)

        def invoke(*args: str) -> Result:
            return runner.invoke(app, list(args))

        yield invoke


def _json(result: Result, code: int = 0) -> Any:
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_message_json_carries_the_text_a_person_reads(run: Any) -> None:
    reference = run("declare", "API down", "-s", "1").stdout.strip()
    shown = _json(run("message", reference, "initial", "--json"))
    assert shown == {
        "reference": reference,
        "kind": "initial",
        "text": run("message", reference, "initial").stdout.rstrip("\n"),
    }
    assert shown["text"].startswith("🚨")


def test_import_json_sums_up_imported_refused_and_skipped_lines(run: Any, tmp_path: Path) -> None:
    good = {"title": "Disk full", "severity": 3, "declared_at": "2024-01-03T10:00:00Z"}
    lines = [
        "# last quarter's incidents",
        json.dumps(good),
        "",
        json.dumps({**good, "title": "Login slow", "declared_at": "2024-01-04T10:00:00Z"}),
        json.dumps({**good, "severity": 9}),
    ]
    file = tmp_path / "past.jsonl"
    file.write_text("\n".join(lines) + "\n")
    summary = _json(run("import", str(file), "--json"), code=1)
    assert (summary["imported"], summary["refused"], summary["skipped"]) == (2, 1, 2)
    assert summary["references"] == ["2024-01-03-001", "2024-01-04-001"]
    [refusal] = summary["refusals"]
    assert refusal["line"] == 5 and "severity" in refusal["reason"]


def test_playbook_check_json_says_ok_with_its_problems_and_warnings(
    run: Any, tmp_path: Path
) -> None:
    exported = run("playbook", "export").stdout
    clean = tmp_path / "playbook.yaml"
    clean.write_text(exported)
    checked = _json(run("playbook", "check", str(clean), "--json"))
    assert checked["ok"] is True and checked["problems"] == []
    assert any("next_review" in warning for warning in checked["warnings"]), "the seed's date"
    raw = yaml.safe_load(exported)
    raw["roles"]["incident_commander"]["backup"] = "nobody"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(raw))
    refused = _json(run("playbook", "check", str(broken), "--json"), code=1)
    assert refused["ok"] is False
    assert {
        "path": "roles.incident_commander.backup",
        "message": "names unknown person 'nobody'",
    } in refused["problems"]
    missing = _json(run("playbook", "check", str(tmp_path / "none.yaml"), "--json"), code=1)
    assert missing["problems"][0]["path"] == "(file)"


def test_playbook_show_json_is_the_effective_playbook(run: Any) -> None:
    shown = _json(run("playbook", "show", "--json"))
    as_yaml = yaml.safe_load(run("playbook", "show").stdout)
    assert list(shown) == list(as_yaml) and shown["people"] == as_yaml["people"]
    assert shown["severities"]["1"]["response_time"] == "15m"
    assert shown["next_review"] == "2024-04-15"


def test_token_create_and_revoke_json(run: Any) -> None:
    created = _json(run("token", "create", "--name", "grafana", "--role", "viewer", "--json"))
    assert created["name"] == "grafana" and created["role"] == "viewer"
    assert created["token"].startswith("wr_")
    assert _json(run("token", "revoke", "grafana", "--json")) == {
        "name": "grafana",
        "revoked": True,
    }
    assert run("token", "revoke", "ghost", "--json").exit_code == 1


def test_integration_create_and_revoke_json(run: Any) -> None:
    created = _json(run("integration", "create", "--type", "grafana", "--name", "g", "--json"))
    assert (created["name"], created["type"], len(created["key"])) == ("g", "grafana", 32)
    assert _json(run("integration", "revoke", "g", "--json")) == {"name": "g", "revoked": True}


def test_intake_retry_json_says_the_letter_failed_again_and_exits_1(run: Any, ctx: Context) -> None:
    secret = ctx.transact(integration_keys.create_integration, "generic", "generic")
    found = integration_keys.authenticate(ctx, secret, "generic")
    untitled = b'{"severity": "warning"}'  # as if accepted under an older parser
    group_commit.store(
        ctx.db, [intake_queue.Accepted(found.id, "generic", ctx.clock.now(), "", untitled)]
    )
    intake_queue.apply_all(ctx)
    [letter] = _json(run("intake", "dead-letters", "--json"))
    retried = run("intake", "retry", str(letter["id"]), "--json")
    shown = _json(retried, code=1)
    assert shown["id"] == letter["id"] and shown["outcome"] == "failed_again"
    assert "title is missing" in shown["again"]["reason"]
    assert "failed again" in retried.stderr


def test_component_clear_json_shows_the_component_following_its_incidents(run: Any) -> None:
    assert run("component", "set", "cdn", "partial_outage", "--for", "2h").exit_code == 0
    cleared = _json(run("component", "clear", "cdn", "--json"))
    assert (cleared["id"], cleared["status"], cleared["override"]) == ("cdn", "operational", None)


def test_db_upgrade_json(run: Any) -> None:
    assert _json(run("db", "upgrade", "--json"))["up_to_date"] is True
