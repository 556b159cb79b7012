"""`warroom show` prints the timeline for people: when, who by name, what as a sentence;
`--json` keeps the structured data and adds the sentence."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from warroom.cli.main import app
from warroom.clock import ManualClock
from warroom.scheduler import Scheduler
from warroom.service.context import Context


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def a_paged_and_acknowledged_sev1(cli: CliRunner, ctx: Context, clock: ManualClock) -> str:
    ref = run(cli, "declare", "Checkout returns 500", "-s", "1", "--service", "api").strip()
    Scheduler(ctx).tick()
    clock.advance(timedelta(minutes=4))
    run(cli, "ack", ref, "--as", "sre-lead")
    return ref


def test_show_prints_when_who_and_what_happened_one_event_a_line(
    cli: CliRunner, ctx: Context, clock: ManualClock
) -> None:
    ref = a_paged_and_acknowledged_sev1(cli, ctx, clock)
    lines = [line for line in run(cli, "show", ref).splitlines() if "\t" in line]
    timeline = [line for line in lines if "(warroom did it)" not in line]
    assert timeline[0] == (
        "2024-01-15 10:00:00\tcli\tDeclared Sev1 (Critical): Checkout returns 500; services api"
    )
    assert timeline[1] == (
        "2024-01-15 10:00:00\twarroom\t"
        "Paged SRE Team Lead by phone (+1-555-0101): recorded, no channel configured"
    )
    assert timeline[-1] == "2024-01-15 10:04:00\tcli\tAcknowledged by SRE Team Lead"


def test_show_prints_no_field_dump(cli: CliRunner, ctx: Context, clock: ManualClock) -> None:
    out = run(cli, "show", a_paged_and_acknowledged_sev1(cli, ctx, clock))
    for dump in ("services=[", "drill=False", "roles={", "page:incident_commander:sre-lead:0"):
        assert dump not in out


def test_show_json_keeps_the_data_and_adds_the_sentence(
    cli: CliRunner, ctx: Context, clock: ManualClock
) -> None:
    shown = json.loads(run(cli, "show", a_paged_and_acknowledged_sev1(cli, ctx, clock), "--json"))
    declared = shown["timeline"][0]
    assert declared["data"]["services"] == ["api"] and declared["data"]["drill"] is False
    assert declared["text"] == "Declared Sev1 (Critical): Checkout returns 500; services api"
    assert shown["timeline"][-1]["data"] == {"person": "sre-lead"}
