"""After the incident: `postmortem`, `actions`, `report monthly|drills` (through the API) and
`import` (local: writes to the database directly, like `db` and `token`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from warroom.cli.client import ApiClient
from warroom.cli.output import (
    console,
    errors,
    fail,
    print_json,
    print_listing,
    short_time,
)
from warroom.cli.reviews import list_reports, show_report
from warroom.cli.state import local_context, settings
from warroom.service.incidents.importer import ImportResult, import_lines

JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")
Out = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout.")
report_group = typer.Typer(help="Monthly incident review and drill scores.", no_args_is_help=True)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        out.write_text(text, encoding="utf-8")
        errors.print(f"wrote {out}", style="dim", highlight=False)


def postmortem(
    reference: str = typer.Argument(..., help="Incident reference."),
    out: Path = Out,
    html: bool = typer.Option(False, "--html", help="The HTML rendering instead of Markdown."),
    as_json: bool = typer.Option(
        False, "--json", help="Status, owner, due and published times, and the Markdown."
    ),
) -> None:
    """Print (or save) an incident's post-mortem as Markdown (or HTML, or JSON)."""
    if html and as_json:
        fail("--html and --json do not go together", code=2)
    path = f"/api/v1/incidents/{reference}/postmortem"
    client = ApiClient(settings())
    if as_json:
        _write(
            json.dumps(client.get(path, format="json"), indent=2, ensure_ascii=False) + "\n", out
        )
        return
    _write(client.text(path, format="html" if html else "md"), out)


def actions(
    overdue: bool = typer.Option(False, "--overdue", help="Only open items past their due time."),
    as_json: bool = JsonFlag,
) -> None:
    """List action items (all, or the overdue ones)."""
    rows = ApiClient(settings()).get("/api/v1/action-items", overdue=str(overdue).lower())
    print_listing(
        rows,
        as_json,
        "Overdue action items" if overdue else "Action items",
        ["#", "Incident", "Action", "Owner", "Due (UTC)", "Status"],
        [
            [
                i["id"],
                i["reference"],
                i["title"],
                i["owner"],
                short_time(i["due"]),
                i["status"] + (" (overdue)" if i["overdue"] else ""),
            ]
            for i in rows
        ],
    )


@report_group.command("monthly")
def monthly(
    month: str = typer.Option(..., "--month", help="YYYY-MM"),
    fmt: str = typer.Option("md", "--format", "-f", help="md, html, json or csv."),
    out: Path = Out,
) -> None:
    """The monthly incident review, computed by the server (drills left out)."""
    if fmt not in ("md", "html", "json", "csv"):
        fail("--format is md, html, json or csv", code=2)
    client = ApiClient(settings())
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=errors, transient=True
    ) as progress:
        progress.add_task(f"aggregating the incidents of {month}", total=None)
        if fmt == "json":
            data: Any = client.get("/api/v1/reports/monthly", month=month)
            text = None
        else:
            text = client.text("/api/v1/reports/monthly", month=month, format=fmt)
    if text is None:
        if out is None:
            print_json(data)
            return
        text = json.dumps(data, indent=2) + "\n"
    _write(text, out)


@report_group.command("drills")
def drills(as_json: bool = JsonFlag) -> None:
    """Every drill, scored: time to first page, roles assigned, first update on time."""
    rows = ApiClient(settings()).get("/api/v1/reports/drills")
    print_listing(
        rows,
        as_json,
        "Drills",
        ["Reference", "Sev", "Declared (UTC)", "First page", "Roles", "First update", "Score"],
        [
            [
                d["reference"],
                d["severity"],
                short_time(d["declared_at"]),
                _seconds(d["time_to_first_page"]),
                f"{d['roles_assigned']}/{d['roles_total']}",
                _seconds(d["first_update_after"])
                + ("" if d["first_update_on_time"] else " (late)"),
                d["score"],
            ]
            for d in rows
        ],
    )


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{int(value) // 60}m{int(value) % 60:02d}s"


def import_incidents(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON Lines file."),
    as_json: bool = JsonFlag,
) -> None:
    """Record past incidents from a JSON Lines file (one incident with its events a line)."""
    lines = file.read_text(encoding="utf-8").splitlines()
    countable = sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))
    ctx = local_context()
    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), console=errors, transient=True
    ) as progress:
        task = progress.add_task("import", total=countable)
        result = import_lines(ctx, lines, on_line=lambda: progress.advance(task))
    if as_json:
        print_json(_import_summary(result, skipped=len(lines) - countable))
    else:
        for number, reason in result.refused:
            errors.print(f"line {number}: refused: {reason}", highlight=False, markup=False)
        console.print(
            f"imported {len(result.imported)} incident(s), refused {len(result.refused)}",
            highlight=False,
        )
    if result.refused:
        raise typer.Exit(1)


def _import_summary(result: ImportResult, *, skipped: int) -> dict[str, Any]:
    """Counts first (lines imported, refused, and skipped as blank or comments), then the
    references made and the reason for each refused line."""
    return {
        "imported": len(result.imported),
        "refused": len(result.refused),
        "skipped": skipped,
        "references": result.imported,
        "refusals": [{"line": number, "reason": reason} for number, reason in result.refused],
    }


def register(app: typer.Typer) -> None:
    app.command()(postmortem)
    app.command()(actions)
    app.command("import")(import_incidents)
    report_group.command("list")(list_reports)
    report_group.command("show")(show_report)
    app.add_typer(report_group, name="report")
