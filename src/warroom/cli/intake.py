"""Local commands for alert intake: integration keys, the inbox backlog, the
rejected-payload list and the dead letters."""

from __future__ import annotations

import typer

from warroom.cli.output import console, fail, print_json, print_listing, short_time
from warroom.cli.state import local_context
from warroom.errors import WarroomError
from warroom.intake import dead_letters, rejections
from warroom.intake import inbox as intake_queue
from warroom.intake import keys as integration_keys

integration_group = typer.Typer(
    help="Integration keys for alert sources (Alertmanager, Grafana, PagerDuty, generic).",
    no_args_is_help=True,
)
JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")
intake_group = typer.Typer(
    help="Alert intake: what waits to be applied, what was refused and why.",
    no_args_is_help=True,
)


@integration_group.command("create")
def integration_create(
    kind: str = typer.Option(..., "--type", help="alertmanager, grafana, pagerduty or generic."),
    name: str = typer.Option(..., "--name", help="Which sender uses the key."),
    as_json: bool = JsonFlag,
) -> None:
    """Create an integration; its 32-character key is printed once and stored as a hash."""
    try:
        key = local_context().transact(integration_keys.create_integration, kind, name)
    except WarroomError as exc:
        fail(exc.message)
    if as_json:
        print_json({"name": name.strip(), "type": kind, "key": key})
    else:
        typer.echo(key)


@integration_group.command("list")
def integration_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List integrations (never their keys)."""
    rows = local_context().read(integration_keys.list_integrations)
    print_listing(
        [row.__dict__ for row in rows],
        as_json,
        "Integrations",
        ["Name", "Type", "Created", "Revoked"],
        [[r.name, r.type, r.created_at, r.revoked_at or "-"] for r in rows],
    )


@integration_group.command("revoke")
def integration_revoke(
    name: str = typer.Argument(..., help="The integration's name."), as_json: bool = JsonFlag
) -> None:
    """Revoke an integration's key at once."""
    try:
        local_context().transact(integration_keys.revoke_integration, name)
    except WarroomError as exc:
        fail(exc.message)
    if as_json:
        print_json({"name": name, "revoked": True})
    else:
        console.print(f"revoked {name}", highlight=False)


@intake_group.command("rejected")
def rejected(
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with headers and body)."),
    limit: int = typer.Option(100, "--limit", min=1, help="Newest N."),
) -> None:
    """Payloads refused with a 4xx, newest first, with the reason and the field at fault."""
    rows = local_context().read(rejections.list_rejected, limit)
    print_listing(
        rows,
        as_json,
        "Rejected payloads",
        ["When", "Endpoint", "Status", "Field", "Reason"],
        [
            [
                short_time(r["received_at"]),
                r["endpoint"],
                r["status_code"],
                r["field"] or "-",
                r["reason"],
            ]
            for r in rows
        ],
    )


@intake_group.command("dead-letters")
def dead_letters_list(
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with the body)."),
    limit: int = typer.Option(100, "--limit", min=1, help="Oldest N."),
) -> None:
    """Payloads accepted (answered 2xx) that could not be applied, oldest first, with the
    reason. Kept until retried: `warroom intake retry ID`."""
    rows = local_context().read(dead_letters.list_dead_letters, limit)
    print_listing(
        rows,
        as_json,
        "Dead letters",
        ["Id", "Received", "Failed", "Kind", "Reason"],
        [
            [
                r["id"],
                short_time(r["received_at"]),
                short_time(r["failed_at"]),
                r["kind"],
                r["reason"],
            ]
            for r in rows
        ],
    )


@intake_group.command("retry")
def retry(
    letter_id: int = typer.Argument(..., help="The dead letter's id, from `intake dead-letters`."),
    as_json: bool = JsonFlag,
) -> None:
    """Move a dead letter back to the inbox and apply it. If it fails again it is kept as a
    new dead letter, with the new reason."""
    try:
        done = dead_letters.retry(local_context(), letter_id)
    except WarroomError as exc:
        fail(exc.message)
    if as_json:
        print_json({"id": letter_id, "outcome": _outcome(done), "again": done.again})
    if done.again is not None:
        again = done.again
        fail(f"dead letter {letter_id} failed again, kept as {again['id']}: {again['reason']}")
    if not as_json:
        state = "applied" if done.applied else "back in the inbox, waiting to be applied"
        console.print(f"dead letter {letter_id} {state}", highlight=False)


def _outcome(done: dead_letters.Retried) -> str:
    if done.again is not None:
        return "failed_again"
    return "applied" if done.applied else "waiting"


@intake_group.command("pending")
def pending(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Payloads accepted (answered 2xx) and not yet applied to incidents by the scheduler."""
    count, waited = intake_queue.backlog(local_context())
    age = None if waited is None else round(waited, 1)
    if as_json:
        print_json({"pending": count, "oldest_age_seconds": age})
        return
    oldest = "" if age is None else f", the oldest received {age} s ago"
    console.print(f"{count} accepted payloads not yet applied{oldest}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(integration_group, name="integration")
    app.add_typer(intake_group, name="intake")
