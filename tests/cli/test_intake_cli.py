"""`warroom integration` and `warroom intake rejected`, run as local commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warroom.cli.main import app


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    env = {"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env)

    return invoke


def test_an_integration_key_is_printed_once_listed_without_it_and_revoked(run) -> None:
    created = run("integration", "create", "--type", "pagerduty", "--name", "payments-pd")
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert len(key) == 32 and key.isalnum()
    listed = run("integration", "list", "--json")
    rows = json.loads(listed.output)
    assert [(r["name"], r["type"], r["revoked_at"]) for r in rows] == [
        ("payments-pd", "pagerduty", None)
    ]
    assert key not in listed.output
    assert run("integration", "revoke", "payments-pd").exit_code == 0
    assert json.loads(run("integration", "list", "--json").output)[0]["revoked_at"]


def test_an_unknown_type_or_a_taken_name_is_refused_with_exit_1(run) -> None:
    assert run("integration", "create", "--type", "nagios", "--name", "x").exit_code == 1
    assert run("integration", "create", "--type", "generic", "--name", "x").exit_code == 0
    assert run("integration", "create", "--type", "generic", "--name", "x").exit_code == 1
    assert run("integration", "revoke", "nobody").exit_code == 1


def test_rejected_payloads_are_listed_as_a_table_or_json(run) -> None:
    assert json.loads(run("intake", "rejected", "--json").output) == []
    assert run("intake", "rejected").exit_code == 0


def test_the_inbox_backlog_is_shown_with_the_age_of_its_oldest_payload(run, tmp_path) -> None:
    from warroom.intake import group_commit
    from warroom.intake import inbox as intake_queue
    from warroom.intake import keys as integration_keys
    from warroom.service.context import build_context
    from warroom.settings import Settings

    ctx = build_context(Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}", secret="s"))
    found = integration_keys.authenticate(
        ctx, ctx.transact(integration_keys.create_integration, "generic", "g"), "generic"
    )
    raw = b'{"title": "disk full"}'
    accepted = intake_queue.Accepted(found.id, "generic", ctx.clock.now(), "k", raw)
    group_commit.store(ctx.db, [accepted, accepted])
    shown = run("intake", "pending", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["pending"] == 2
    assert "2 accepted payloads not yet applied" in run("intake", "pending").output


def test_dead_letters_are_listed_and_an_unknown_one_cannot_be_retried(run) -> None:
    assert json.loads(run("intake", "dead-letters", "--json").output) == []
    assert run("intake", "dead-letters").exit_code == 0
    unknown = run("intake", "retry", "42")
    assert unknown.exit_code == 1
    assert "no dead letter 42" in unknown.output


def test_retry_explains_itself_in_its_help(run) -> None:
    shown = run("intake", "retry", "--help")
    assert shown.exit_code == 0
    assert "Move a dead letter back to the inbox" in shown.output


def test_a_dead_letter_that_fails_again_on_retry_is_kept_anew_with_exit_1(run, tmp_path) -> None:
    from warroom.intake import group_commit
    from warroom.intake import inbox as intake_queue
    from warroom.intake import keys as integration_keys
    from warroom.service.context import build_context
    from warroom.settings import Settings

    ctx = build_context(Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}", secret="s"))
    found = integration_keys.authenticate(
        ctx, ctx.transact(integration_keys.create_integration, "generic", "g"), "generic"
    )
    untitled = b'{"severity": "warning"}'  # as if accepted under an older parser
    group_commit.store(
        ctx.db, [intake_queue.Accepted(found.id, "generic", ctx.clock.now(), "", untitled)]
    )
    intake_queue.apply_all(ctx)
    [letter] = json.loads(run("intake", "dead-letters", "--json").output)
    assert "title is missing" in letter["reason"] and letter["body"] == untitled.decode()
    retried = run("intake", "retry", str(letter["id"]))
    assert retried.exit_code == 1
    [again] = json.loads(run("intake", "dead-letters", "--json").output)
    assert f"dead letter {letter['id']} failed again, kept as {again['id']}" in retried.output
