"""`warroom oncall` and `warroom schedule ...` against a real server: who is on call, the
shifts in the schedule's local time, and overrides made, listed and deleted."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.schedule_playbook import new_york, scheduled_playbook
from warroom.cli.main import app
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.session import Database


@pytest.fixture
def ctx(db: Database, clock: ManualClock, settings: Settings) -> Context:
    clock.set(new_york("2024-01-15T08:00"))
    return Context(db=db, playbook=scheduled_playbook(), clock=clock, settings=settings)


def _run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_oncall_names_who_is_on_call_now_and_until_when(cli: CliRunner) -> None:
    rows = [line.split("\t") for line in _run(cli, "oncall").splitlines()]
    assert rows == [["sre-oncall", "DevOps Engineer", "2024-01-08 14:00:00", "2024-01-15 14:00:00"]]


def test_oncall_at_a_local_time_reads_it_in_the_schedules_timezone(cli: CliRunner) -> None:
    found = json.loads(_run(cli, "oncall", "sre-oncall", "--at", "2024-01-22T09:00", "--json"))
    assert (found["person"], found["since"]) == ("sre-lead", "2024-01-22T14:00:00Z")


def test_shifts_show_the_monday_handoffs_at_nine_local(cli: CliRunner) -> None:
    out = _run(cli, "schedule", "shifts", "sre-oncall", "--to", "2024-01-29T12:00")
    assert [line.split("\t") for line in out.splitlines()] == [
        ["Mon 2024-01-15 08:00", "Mon 2024-01-15 09:00", "DevOps Engineer"],
        ["Mon 2024-01-15 09:00", "Mon 2024-01-22 09:00", "Lead Developer"],
        ["Mon 2024-01-22 09:00", "Mon 2024-01-29 09:00", "SRE Team Lead"],
        ["Mon 2024-01-29 09:00", "Mon 2024-01-29 12:00", "DevOps Engineer"],
    ]


def test_an_override_is_made_listed_applied_and_deleted(cli: CliRunner) -> None:
    made = json.loads(
        _run(
            cli, "schedule", "override", "sre-oncall", "cto",
            "--start", "2024-01-15T07:00", "--end", "2024-01-15T12:00", "--json",
        )
    )  # fmt: skip
    assert (made["person"], made["created_by"]) == ("cto", "cli")
    listed = _run(cli, "schedule", "overrides", "sre-oncall").splitlines()
    assert listed[0].split("\t")[:4] == [
        str(made["id"]),
        "cto",
        "2024-01-15 12:00:00",
        "2024-01-15 17:00:00",
    ]
    assert json.loads(_run(cli, "oncall", "sre-oncall", "--json"))["person"] == "cto"
    _run(cli, "schedule", "delete-override", "sre-oncall", str(made["id"]))
    assert json.loads(_run(cli, "oncall", "sre-oncall", "--json"))["person"] == "devops-lead"


def test_a_bad_override_exits_1_naming_the_field(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "schedule",
            "override",
            "sre-oncall",
            "nobody",
            "--start",
            "2024-01-16T09:00",
            "--end",
            "2024-01-16T10:00",
        ],
    )
    assert result.exit_code == 1
    assert "unknown person 'nobody'" in result.stderr and "person" in result.stderr


def test_schedule_calendar_prints_a_secret_url_once_and_lists_it_without(cli: CliRunner) -> None:
    url = _run(cli, "schedule", "calendar", "sre-oncall", "--person", "sre-lead").strip()
    assert url.startswith("http") and url.endswith(".ics") and "/calendar/wrcal_" in url
    [row] = [
        line.split("\t")
        for line in _run(cli, "schedule", "calendar", "sre-oncall", "--list").splitlines()
    ]
    assert row[:3] == ["1", "sre-lead", "cli"] and url.split("/")[-1] not in "\t".join(row)
    _run(cli, "schedule", "calendar", "sre-oncall", "--revoke", "1")
    [listed] = json.loads(_run(cli, "schedule", "calendar", "sre-oncall", "--list", "--json"))
    assert listed["revoked_at"] is not None
