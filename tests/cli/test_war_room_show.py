"""`warroom show` opens with the war room: links, roles by name, the runbooks to run and the
alerts that fired, before the timeline; `--json` keeps the incident's JSON."""

from __future__ import annotations

import io
import json

from rich.console import Console
from typer.testing import CliRunner

from tests.intake.conftest import fixture
from warroom.cli.main import app
from warroom.cli.war_room import labels_summary, print_war_room
from warroom.intake import alertmanager
from warroom.intake import applier as intake
from warroom.intake import keys as integration_keys
from warroom.service.context import Context


def alerted(ctx: Context, payload: str) -> str:
    """An Alertmanager payload applied as the inbox's applier does; the incident's reference."""
    key = ctx.transact(integration_keys.create_integration, "alertmanager", "prom")
    source = integration_keys.authenticate(ctx, key, "alertmanager")
    with ctx.db.unit_of_work() as session:
        note = alertmanager.parse(fixture(payload), ctx.clock.now())
        reference = intake.apply(ctx, session, source, note).reference
    assert reference is not None
    return reference


def test_show_prints_links_roles_by_name_runbooks_and_alerts_one_per_line(
    cli: CliRunner, ctx: Context
) -> None:
    reference = alerted(ctx, "api-and-database-down.json")
    result = cli.invoke(app, ["show", reference])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "  video        https://zoom.us/my/alchemorsel-incident-room" in lines
    assert "  chat         #incident-2024-01-15-001" in lines
    assert "  status page  https://status.alchemorsel.com" in lines
    assert any(line.startswith("  chat backup") and "Microsoft Teams" in line for line in lines)
    [commander] = [line for line in lines if "SRE Team Lead (sre-lead)" in line]
    assert commander.startswith("  Incident Commander")
    assert "  api: Kubernetes Operations" in lines
    assert "      kubectl get pods -n alchemorsel -o wide" in lines
    assert "Alerts (2)" in lines
    [api_row] = [line for line in lines if "instance=api-7f9c:8080" in line]
    where, status, title, first, last, links = api_row.split("\t")
    assert (where, status) == ("instance=api-7f9c:8080", "firing")
    assert title == "APIDown: API answers 5xx"
    assert (first, last) == ("2024-01-15 10:00:00", "2024-01-15 10:00:00")
    assert "generator: http://prometheus.example.invalid:9090/graph" in links
    assert "runbook: https://runbooks.example.invalid/APIDown" in links
    assert lines.index("Alerts (2)") < lines.index(api_row)


def test_show_json_is_the_incident_with_its_alerts_and_timeline(
    cli: CliRunner, ctx: Context
) -> None:
    reference = alerted(ctx, "api-and-database-down.json")
    result = cli.invoke(app, ["show", reference, "--json"])
    shown = json.loads(result.stdout)
    assert shown["alerts_total"] == 2 and shown["links"]["video"].startswith("https://zoom.us/")
    assert shown["timeline"][0]["kind"] == "declared"


def test_on_a_terminal_alert_links_follow_the_table_whole_and_markup_prints_as_text() -> None:
    screen = io.StringIO()
    incident = {
        "links": {"chat": "#incident-1", "video": None},
        "alerts": [
            {
                "status": "firing",
                "title": "disk a[/b] full [bold]now",
                "labels": {"mount": "/[data]"},
                "first_seen": "2024-01-15T10:00:00Z",
                "last_seen": "2024-01-15T10:05:00Z",
                "links": {"generator": "http://prom.example/graph?g0.expr=up[5m]", "runbook": None},
            }
        ],
        "alerts_total": 1,
    }
    print_war_room(incident, out=Console(file=screen, width=120, force_terminal=True))
    printed = screen.getvalue()
    assert "a[/b] full [bold]now" in printed
    assert "  mount=/[data]  generator: http://prom.example/graph?g0.expr=up[5m]" in printed
    assert "runbook" not in printed
    assert "video" not in printed, "a link the playbook does not have is left out"


def test_an_alert_is_told_apart_by_its_machine_else_by_its_other_labels() -> None:
    assert labels_summary({"alertname": "X", "pod": "api-1", "job": "api"}) == "pod=api-1"
    assert labels_summary({"alertname": "X", "severity": "critical", "job": "api"}) == "job=api"
