"""Incident commands (SPEC §7): each one HTTP call to the server, printed for people or JSON."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from warroom.cli.client import ApiClient
from warroom.cli.incident_list import list_incidents
from warroom.cli.output import (
    errors,
    print_json,
    print_table,
    say,
    short_time,
)
from warroom.cli.state import settings
from warroom.cli.war_room import print_war_room

JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")
At = typer.Option(None, "--at", help="Past UTC time (ISO 8601) for retrospective entry.")


def _client() -> ApiClient:
    return ApiClient(settings())


def _path(reference: str, action: str = "") -> str:
    return f"/api/v1/incidents/{reference}" + (f"/{action}" if action else "")


def _done(incident: dict[str, Any], as_json: bool, what: str) -> None:
    if as_json:
        print_json(incident)
    else:
        say(f"{incident['reference']}: {what}")


def declare(
    title: str = typer.Argument(..., help="What is wrong, in a line."),
    severity: int = typer.Option(..., "--severity", "-s", help="Severity 1 (critical) to 4."),
    service: list[str] = typer.Option([], "--service", help="Affected service (repeatable)."),
    summary: str = typer.Option("", "--summary", help="Longer description."),
    drill: bool = typer.Option(False, "--drill", help="An exercise: pages no one."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Declare an incident; prints its reference."""
    body = {
        "title": title,
        "severity": severity,
        "services": service,
        "summary": summary,
        "drill": drill,
        "at": at,
    }
    incident = _client().post("/api/v1/incidents", body)
    if as_json:
        print_json(incident)
    else:
        typer.echo(incident["reference"])
        errors.print(f"channel #{incident['channel']}", style="dim", highlight=False)


def show(
    reference: str = typer.Argument(..., help="Incident reference."), as_json: bool = JsonFlag
) -> None:
    """Show an incident and its timeline."""
    client = _client()
    incident = client.get(_path(reference))
    events = client.get(_path(reference, "timeline"))
    if as_json:
        print_json({**incident, "timeline": events})
        return
    say(
        f"[bold]{incident['reference']}[/] Sev{incident['severity']} ({incident['severity_name']})"
        f" [bold]{incident['status']}[/]  {escape(incident['title'])}"
    )
    print_war_room(incident)
    print_table(
        "Timeline",
        ["At (UTC)", "Who", "What"],
        [[short_time(e["at"]), e["actor_name"], e["text"]] for e in events],
    )


def ack(
    reference: str = typer.Argument(..., help="Incident reference."),
    as_: str = typer.Option(None, "--as", help="The person acknowledging (playbook id)."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Acknowledge an incident (stops its paging fallbacks)."""
    incident = _client().post(_path(reference, "acknowledge"), {"person": as_, "at": at})
    _done(incident, as_json, f"acknowledged by {incident['acknowledged_by']}")


def status(
    reference: str = typer.Argument(..., help="Incident reference."),
    new_status: str = typer.Argument(
        ..., metavar="STATUS", help="investigating, mitigating or monitoring."
    ),
    note: str = typer.Option(None, "--note", help="Why (needed to step back)."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Move an incident to another status (`warroom status export DIR`: the status page)."""
    if reference == "export":
        from warroom.cli.statuspage import export

        export(new_status)
        return
    incident = _client().post(
        _path(reference, "status"), {"status": new_status, "note": note, "at": at}
    )
    _done(incident, as_json, f"status {incident['status']}")


def severity(
    reference: str = typer.Argument(..., help="Incident reference."),
    level: int = typer.Argument(..., metavar="N", help="The new severity."),
    reason: str = typer.Option(..., "--reason", help="Why the severity changes."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Raise or lower an incident's severity."""
    incident = _client().post(
        _path(reference, "severity"), {"severity": level, "reason": reason, "at": at}
    )
    _done(incident, as_json, f"severity {incident['severity']}")


def assign(
    reference: str = typer.Argument(..., help="Incident reference."),
    role: str = typer.Argument(
        ..., help="incident_commander, technical_lead, communications_lead..."
    ),
    person: str = typer.Argument(..., help="Person id from the playbook."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Assign a response role to a person."""
    incident = _client().post(_path(reference, "roles"), {"role": role, "person": person, "at": at})
    _done(incident, as_json, f"{role} is {person}")


def engage(
    reference: str = typer.Argument(..., help="Incident reference."),
    sme: str = typer.Argument(..., help="database, security, infrastructure, application..."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Call in a subject matter expert: pages the playbook's SME under the contact protocol."""
    incident = _client().post(_path(reference, "engage"), {"sme": sme, "at": at})
    _done(incident, as_json, f"{sme} SME engaged")


def update(
    reference: str = typer.Argument(..., help="Incident reference."),
    message: str = typer.Argument(..., help="What has happened since the last update."),
    public: bool = typer.Option(False, "--public", help="Also for the status page."),
    next_steps: str = typer.Option(None, "--next-steps", help="What comes next."),
    eta: str = typer.Option(None, "--eta", help="Expected resolution, if known."),
    title: str = typer.Option(
        None, "--title", help="Public title: the first public update publishes the incident."
    ),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Post an internal (or public) update."""
    body = {
        "message": message,
        "audience": "public" if public else "internal",
        "next_steps": next_steps,
        "eta": eta,
        "public_title": title,
        "at": at,
    }
    incident = _client().post(_path(reference, "updates"), body)
    _done(incident, as_json, "public update posted" if public else "internal update posted")


def publish(
    reference: str = typer.Argument(..., help="Incident reference."),
    title: str = typer.Option(..., "--title", help="What the public reads: no hosts, no names."),
    message: str = typer.Option(None, "--message", help="A first public update."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Put an incident on the public status page; until then it is not there at all."""
    body = {"public_title": title, "message": message, "at": at}
    incident = _client().post(_path(reference, "publish"), body)
    _done(incident, as_json, "published")


def attempt(
    reference: str = typer.Argument(..., help="Incident reference."),
    action: str = typer.Argument(..., help="What was tried."),
    outcome: str = typer.Option(..., "--outcome", help="failed, succeeded or pending."),
    hypothesis: str = typer.Option(None, "--hypothesis", help="What it was meant to test."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Record a resolution attempt."""
    body = {"action": action, "outcome": outcome, "hypothesis": hypothesis, "at": at}
    incident = _client().post(_path(reference, "attempts"), body)
    _done(incident, as_json, f"attempt recorded ({outcome})")


def impact(
    reference: str = typer.Argument(..., help="Incident reference."),
    users_pct: float = typer.Option(None, "--users-pct", help="Affected users, percent."),
    service: list[str] = typer.Option(None, "--service", help="Affected service (repeatable)."),
    business: str = typer.Option(None, "--business", help="Business impact (revenue, reputation)."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Record the impact assessment."""
    body = {
        "affected_users_pct": users_pct,
        "services": service or None,
        "business_impact": business,
        "at": at,
    }
    incident = _client().post(_path(reference, "impact"), body)
    _done(incident, as_json, "impact assessed")


def resolve(
    reference: str = typer.Argument(..., help="Incident reference."),
    resolution: str = typer.Option(..., "--resolution", help="What fixed it."),
    root_cause: str = typer.Option(None, "--root-cause", help="The root cause, if known."),
    prevention: str = typer.Option(None, "--prevention", help="Future measures."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Resolve an incident (cancels all pending escalation)."""
    body = {"resolution": resolution, "root_cause": root_cause, "prevention": prevention, "at": at}
    incident = _client().post(_path(reference, "resolve"), body)
    _done(incident, as_json, "resolved")


def reopen(
    reference: str = typer.Argument(..., help="Incident reference."),
    reason: str = typer.Option(..., "--reason", help="Why it is not over."),
    at: str = At,
    as_json: bool = JsonFlag,
) -> None:
    """Reopen a resolved incident."""
    incident = _client().post(_path(reference, "reopen"), {"reason": reason, "at": at})
    _done(incident, as_json, "reopened")


def message(
    reference: str = typer.Argument(..., help="Incident reference."),
    kind: str = typer.Argument("initial", help="initial, update or resolution."),
    as_json: bool = JsonFlag,
) -> None:
    """Print one of the playbook's message templates filled in for an incident."""
    text = _client().text(_path(reference, f"messages/{kind}"))
    if as_json:
        print_json({"reference": reference, "kind": kind, "text": text})
    else:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    app.command()(declare)
    app.command("list")(list_incidents)
    for command in (
        show,
        ack,
        status,
        severity,
        assign,
        engage,
        update,
        publish,
        attempt,
        impact,
        resolve,
        reopen,
        message,
    ):
        app.command()(command)
