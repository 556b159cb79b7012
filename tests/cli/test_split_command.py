"""`warroom split REF GROUP_KEY` against a real server: the group leaves the alert storm
for an incident of its own; `warroom show` lists the storm's groups."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.api.test_storm_routes import group, send, storm_of
from warroom.cli.main import app
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys
from warroom.service.context import Context
from warroom.service.incidents import reading


def test_split_moves_a_group_out_of_the_storm_and_prints_the_new_reference(
    cli: CliRunner, app_client, ctx: Context
) -> None:
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    send(app_client, key, *(group(n) for n in range(1, 13)))
    intake_queue.apply_all(ctx)
    storm = storm_of(ctx).reference
    shown = cli.invoke(app, ["show", storm])
    assert shown.exit_code == 0, shown.stderr
    assert "Alert groups of the storm (2)" in shown.stdout
    assert group(12)["groupKey"] in shown.stdout
    result = cli.invoke(app, ["split", storm, group(12)["groupKey"], "--json"])
    assert result.exit_code == 0, result.stderr
    moved = json.loads(result.stdout)
    assert moved["storm"]["reference"] == storm and moved["alerts"] == 1
    assert ctx.read(reading.get_incident, moved["incident"]["reference"]).severity == 3
    again = cli.invoke(app, ["split", storm, group(12)["groupKey"]])
    assert again.exit_code == 1 and "holds no alert group" in again.stderr
    last = cli.invoke(app, ["split", storm, group(11)["groupKey"]])
    assert last.exit_code == 0 and last.stdout.splitlines()[0].count("-") == 3, "its reference"
    assert cli.invoke(app, ["split", "--help"]).exit_code == 0
