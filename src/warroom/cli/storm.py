"""`warroom split REF GROUP_KEY`: move an alert group out of an alert-storm incident into
an incident of its own, declared and paged as that group alone would have been."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from warroom.cli.client import ApiClient
from warroom.cli.output import print_json, say
from warroom.cli.state import settings


def split(
    reference: str = typer.Argument(..., help="The alert-storm incident's reference."),
    group_key: str = typer.Argument(
        ..., help="The alert group's key, as `warroom show REF` lists the storm's groups."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Split one alert group out of a storm incident; prints the new incident's reference."""
    path = f"/api/v1/incidents/{reference}/split"
    moved: dict[str, Any] = ApiClient(settings()).post(path, {"group_key": group_key})
    if as_json:
        print_json(moved)
        return
    own, storm = moved["incident"], moved["storm"]
    say(own["reference"])
    line = (
        f"{moved['alerts']} alert(s) of {moved['group_key']} moved from {storm['reference']}"
        f" ({storm['title']}) to Sev{own['severity']}: {own['title']}"
    )
    say(escape(line))


def register(app: typer.Typer) -> None:
    app.command()(split)
