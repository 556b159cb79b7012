"""`warroom checklist REF`: the checklist by phase from a real server, ticked and unticked."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warroom.cli.main import app
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents


@pytest.fixture
def reference(ctx: Context) -> str:
    declared = incidents.Declaration(title="Checkout errors", severity=2)
    return ctx.transact(incidents.declare, declared, actor="alice").reference


def test_the_checklist_prints_one_item_a_line_by_phase_when_piped(
    cli: CliRunner, reference: str
) -> None:
    result = cli.invoke(app, ["checklist", reference])
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == [
        "create-incident",
        "declaration",
        "yes",
        "warroom",
        "2024-01-15 10:00:00",
        "Create incident in incident management system",
    ]
    assert ["start-video", "war_room", "no", "-", "-", "Start video conference call"] in rows
    phases = [row[1] for row in rows]
    assert phases == sorted(phases, key=phases.index)  # each phase's items together


def test_ticks_and_unticks_go_first_and_the_list_shows_them(cli: CliRunner, reference: str) -> None:
    args = ["checklist", reference, "--tick", "start-video", "--tick", "join-channel"]
    result = cli.invoke(app, [*args, "--untick", "create-incident", "--json"])
    assert result.exit_code == 0, result.stderr
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    assert listed["start-video"]["done"] and listed["join-channel"]["done"]
    assert listed["start-video"]["done_by"] == "cli"
    assert listed["create-incident"]["done"] is False


def test_an_unknown_item_exits_1_naming_the_items_there_are(cli: CliRunner, reference: str) -> None:
    result = cli.invoke(app, ["checklist", reference, "--tick", "make-coffee"])
    assert result.exit_code == 1
    assert "unknown checklist item 'make-coffee'" in result.stderr
    assert "page-team" in result.stderr


def test_every_option_of_the_command_says_what_it_does(cli: CliRunner) -> None:
    result = cli.invoke(app, ["checklist", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for words in ("Tick this item first", "Untick this item first", "Past UTC time", "JSON"):
        assert words in result.stdout
