"""`warroom checklist REF`: the playbook's checklists on an incident, ticked and unticked
through the server; every tick is on the incident's timeline."""

from __future__ import annotations

from typing import Any

import typer

from warroom.cli.client import ApiClient
from warroom.cli.output import print_json, print_table, short_time
from warroom.cli.state import settings


def checklist(
    reference: str = typer.Argument(..., help="Incident reference."),
    tick: list[str] = typer.Option(
        [], "--tick", metavar="ID", help="Tick this item first (repeatable)."
    ),
    untick: list[str] = typer.Option(
        [], "--untick", metavar="ID", help="Untick this item first (repeatable)."
    ),
    at: str = typer.Option(
        None, "--at", help="Past UTC time (ISO 8601) of the ticks, for retrospective entry."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Show an incident's checklist by phase; tick or untick items first when asked."""
    client = ApiClient(settings())
    path = f"/api/v1/incidents/{reference}/checklist"
    changes = [(item, True) for item in tick] + [(item, False) for item in untick]
    for item_id, done in changes:
        client.post(f"{path}/{item_id}", {"done": done, "at": at})
    items: list[dict[str, Any]] = client.get(path)
    if as_json:
        print_json(items)
        return
    print_table(
        f"Checklist of {reference}",
        ["ID", "Phase", "Done", "By", "When", "Item"],
        [
            [
                item["id"],
                item["phase"],
                "yes" if item["done"] else "no",
                item["done_by"] or "-",
                short_time(item["done_at"]),
                item["text"],
            ]
            for item in items
        ],
    )


def register(app: typer.Typer) -> None:
    app.command()(checklist)
