"""The CLI talks to a real server: the tour of the README, exit codes and --json."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli.main import app


def _run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_declare_prints_the_reference_alone_on_stdout(cli: CliRunner) -> None:
    code, out, err = _run(cli, "declare", "API down", "--severity", "1", "--service", "api")
    assert code == 0
    assert out.strip() == "2024-01-15-001"
    assert "incident-2024-01-15-001" in err


def test_the_tour_acknowledges_updates_and_resolves(cli: CliRunner) -> None:
    _run(cli, "declare", "API down", "-s", "1")
    ref = "2024-01-15-001"
    assert _run(cli, "ack", ref, "--as", "sre-lead")[0] == 0
    assert _run(cli, "update", ref, "Rolled back", "--public", "--title", "API errors")[0] == 0
    assert _run(cli, "attempt", ref, "rollback", "--outcome", "succeeded")[0] == 0
    assert _run(cli, "status", ref, "monitoring")[0] == 0
    assert _run(cli, "resolve", ref, "--resolution", "Rolled back")[0] == 0
    code, out, _ = _run(cli, "show", ref, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["status"] == "resolved"
    declaration_ticks = ["checklist_ticked"] * 4  # the incident, severity, channel, timeline
    assert [e["kind"] for e in shown["timeline"]] == [
        "declared",
        *declaration_ticks,
        "acknowledged",
        "published",
        "update_posted",
        "resolution_attempt",
        "status_changed",
        "resolved",
        "postmortem_created",
        "checklist_ticked",  # gather the timeline
    ]
    code, out, _ = _run(cli, "list", "--all", "--json")
    assert [i["reference"] for i in json.loads(out)] == [ref]
    code, out, _ = _run(cli, "message", ref, "resolution")
    assert out.startswith("✅ INCIDENT RESOLVED")


def test_a_refused_request_exits_1_with_the_reason_on_stderr(cli: CliRunner) -> None:
    _run(cli, "declare", "API down", "-s", "1")
    code, out, err = _run(cli, "status", "2024-01-15-001", "resolved")
    assert code == 1 and out == ""
    assert "resolve the incident" in err
    code, _, err = _run(cli, "ack", "2024-01-15-404")
    assert code == 1 and "no incident" in err


def test_engaging_an_sme_records_it_and_an_unknown_one_is_refused(cli: CliRunner) -> None:
    _run(cli, "declare", "Slow queries", "-s", "2")
    code, out, _ = _run(cli, "engage", "2024-01-15-001", "database", "--json")
    assert code == 0, out
    code, out, _ = _run(cli, "show", "2024-01-15-001", "--json")
    assert "sme_engaged" in out
    code, _, err = _run(cli, "engage", "2024-01-15-001", "networking")
    assert code == 1 and "unknown SME 'networking'" in err


def test_a_usage_error_exits_2(cli: CliRunner) -> None:
    assert _run(cli, "declare", "API down")[0] == 2
    assert _run(cli, "severity", "2024-01-15-001", "high", "--reason", "x")[0] == 2


def test_every_command_has_help(cli: CliRunner) -> None:
    for command in (
        "declare",
        "list",
        "show",
        "ack",
        "status",
        "severity",
        "assign",
        "engage",
        "update",
        "attempt",
        "impact",
        "resolve",
        "reopen",
        "message",
        "serve",
        "playbook",
        "token",
        "db",
    ):
        code, out, _ = _run(cli, command, "--help")
        assert code == 0 and "Usage" in out, command


def test_publish_puts_an_incident_on_the_status_page_under_its_public_title(
    cli: CliRunner,
) -> None:
    _run(cli, "declare", "etcd-1 quorum lost", "-s", "2", "--service", "api")
    ref = "2024-01-15-001"
    code, out, err = _run(cli, "publish", ref, "--title", "API errors", "--message", "On it.")
    assert (code, err) == (0, "") and f"{ref}: published" in out
    code, out, _ = _run(cli, "show", ref, "--json")
    shown = json.loads(out)
    assert shown["public_title"] == "API errors"
    assert [e["kind"] for e in shown["timeline"]][-2:] == ["published", "update_posted"]
    code, _, err = _run(cli, "publish", ref, "--title", "Again")
    assert code == 1 and "already published" in err


def test_a_first_public_update_without_a_title_is_refused_with_the_reason(cli: CliRunner) -> None:
    _run(cli, "declare", "etcd-1 quorum lost", "-s", "2")
    code, _, err = _run(cli, "update", "2024-01-15-001", "On it", "--public")
    assert code == 1 and "public_title" in err
