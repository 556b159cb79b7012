"""`report list` and `report show` (in the `report` group `post` registers): the monthly
reviews the server made by itself on the 1st and keeps, through the API."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from warroom.cli.client import ApiClient
from warroom.cli.output import errors, fail, print_listing, short_time
from warroom.cli.state import settings


def list_reports(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """The kept reviews, newest first."""
    rows = ApiClient(settings()).get("/api/v1/reports")
    print_listing(
        rows,
        as_json,
        "Kept reviews",
        ["Period", "Kind", "Made (UTC)", "Incidents"],
        [[r["period"], r["kind"], short_time(r["made_at"]), r["incidents"]] for r in rows],
    )


def show_report(
    period: str = typer.Argument(..., help="The month reviewed, YYYY-MM."),
    fmt: str = typer.Option("md", "--format", "-f", help="md or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """A kept monthly review, as it was made."""
    if fmt not in ("md", "json"):
        fail("--format is md or json", code=2)
    client = ApiClient(settings())
    path = f"/api/v1/reports/monthly/{period}"
    if fmt == "json":
        text = json.dumps(client.get(path), indent=2, ensure_ascii=False) + "\n"
    else:
        text = client.text(path, format="md")
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    out.write_text(text, encoding="utf-8")
    errors.print(f"wrote {out}", style="dim", highlight=False)
