"""Status-page commands: `warroom component ...`, `warroom maintenance ...` (through the
server) and `warroom status export DIR` (local: writes the public page as static files)."""

from __future__ import annotations

from pathlib import Path

import typer

from warroom.cli.client import ApiClient
from warroom.cli.output import console, print_json, print_listing, short_time
from warroom.cli.state import local_context, settings

component_app = typer.Typer(help="Status-page components: list, set by hand, clear.")
maintenance_app = typer.Typer(help="Scheduled maintenance windows on the status page.")
JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")


def _client() -> ApiClient:
    return ApiClient(settings())


@component_app.command("list")
def list_components(as_json: bool = JsonFlag) -> None:
    """Components with their status and any manual override."""
    rows = _client().get("/api/v1/components")
    print_listing(
        rows,
        as_json,
        "Components",
        ["Id", "Name", "Status", "Override until"],
        [
            [c["id"], c["name"], c["status"], short_time((c["override"] or {}).get("until"))]
            for c in rows
        ],
    )


@component_app.command("set")
def set_component(
    component: str = typer.Argument(..., metavar="ID", help="Component (a playbook service)."),
    status: str = typer.Argument(
        ..., help="operational, degraded_performance, partial_outage, major_outage, ..."
    ),
    for_: str = typer.Option(None, "--for", help="How long, e.g. 2h."),
    until: str = typer.Option(None, "--until", help="Until a UTC time (ISO 8601)."),
    reason: str = typer.Option("", "--reason", help="Why, for the team."),
    as_json: bool = JsonFlag,
) -> None:
    """Set a component's status by hand; it expires after --for or at --until."""
    body = {"status": status, "for": for_, "until": until, "reason": reason}
    override = _client().post(f"/api/v1/components/{component}/override", body)
    if as_json:
        print_json(override)
    else:
        console.print(f"{component}: {status} until {short_time(override['until'])}")


@component_app.command("clear")
def clear_component(
    component: str = typer.Argument(..., metavar="ID", help="Component."),
    as_json: bool = typer.Option(False, "--json", help="Print the component as JSON."),
) -> None:
    """Drop a manual override: the component follows its incidents again."""
    client = _client()
    client.delete(f"/api/v1/components/{component}/override")
    if not as_json:
        console.print(f"{component}: follows its incidents")
        return
    shown = [c for c in client.get("/api/v1/components") if c["id"] == component]
    print_json(shown[0] if shown else {"id": component, "override": None})


@maintenance_app.command("create")
def create_maintenance(
    title: str = typer.Argument(..., help="What is being done."),
    starts: str = typer.Option(..., "--starts", help="Start, UTC ISO 8601 (…Z)."),
    ends: str = typer.Option(..., "--ends", help="End, UTC ISO 8601 (…Z)."),
    component: list[str] = typer.Option([], "--component", help="Affected (repeatable)."),
    message: str = typer.Option("", "--message", help="What users should expect."),
    as_json: bool = JsonFlag,
) -> None:
    """Schedule a maintenance window; it shows on the status page at once."""
    body = {
        "title": title,
        "starts_at": starts,
        "ends_at": ends,
        "components": component,
        "message": message,
    }
    window = _client().post("/api/v1/maintenances", body)
    if as_json:
        print_json(window)
    else:
        console.print(f"maintenance {window['id']}: {window['title']} ({window['status']})")


@maintenance_app.command("list")
def list_maintenances(as_json: bool = JsonFlag) -> None:
    """Maintenance windows, newest first."""
    rows = _client().get("/api/v1/maintenances")
    print_listing(
        rows,
        as_json,
        "Maintenance",
        ["Id", "Title", "Status", "Starts (UTC)", "Ends (UTC)", "Components"],
        [
            [
                m["id"],
                m["title"],
                m["status"],
                short_time(m["starts_at"]),
                short_time(m["ends_at"]),
                ", ".join(m["components"]),
            ]
            for m in rows
        ],
    )


def export(directory: str) -> None:
    """Write the public status page (index.html, api/v2/*.json, status/feed.atom) to DIRECTORY."""
    from warroom.service.status_page.announcements import current
    from warroom.web import statuspage as render

    status = local_context().read(current)
    root = Path(directory)
    files = {
        "index.html": render.html(status),
        "status/feed.atom": render.atom(status),
        **{f"api/v2/{name}": document(status) for name, document in render.JSON_DOCUMENTS.items()},
    }
    for name, body in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    console.print(f"wrote {len(files)} files to {root}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(component_app, name="component")
    app.add_typer(maintenance_app, name="maintenance")
