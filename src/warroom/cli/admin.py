"""Local administration: API tokens and the database schema."""

from __future__ import annotations

import typer

from warroom.cli.output import fail, print_json, print_listing, say
from warroom.cli.state import local_context
from warroom.errors import WarroomError
from warroom.service import tokens

token_group = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
db_group = typer.Typer(help="Database schema.", no_args_is_help=True)
JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")


@token_group.command("create")
def token_create(
    name: str = typer.Option(..., "--name", help="Who or what uses the token."),
    role: str = typer.Option("responder", "--role", help="viewer, responder or admin."),
    as_json: bool = JsonFlag,
) -> None:
    """Create a token; it is printed once and stored only as a hash."""
    try:
        secret = local_context().transact(tokens.create_token, name, role)
    except WarroomError as exc:
        fail(exc.message)
    if as_json:
        print_json({"name": name.strip(), "role": role, "token": secret})
    else:
        typer.echo(secret)


@token_group.command("list")
def token_list(as_json: bool = JsonFlag) -> None:
    """List tokens (never their secrets)."""
    rows = local_context().read(tokens.list_tokens)
    print_listing(
        [row.__dict__ for row in rows],
        as_json,
        "API tokens",
        ["Name", "Role", "Created", "Revoked"],
        [[t.name, t.role, t.created_at, t.revoked_at or "-"] for t in rows],
    )


@token_group.command("revoke")
def token_revoke(
    name: str = typer.Argument(..., help="The token's name."), as_json: bool = JsonFlag
) -> None:
    """Revoke a token at once."""
    try:
        local_context().transact(tokens.revoke_token, name)
    except WarroomError as exc:
        fail(exc.message)
    if as_json:
        print_json({"name": name, "revoked": True})
    else:
        say(f"revoked {name}")


@db_group.command("upgrade")
def db_upgrade(as_json: bool = JsonFlag) -> None:
    """Apply all database migrations."""
    ctx = local_context(migrate=True)
    database = ctx.db.engine.url.render_as_string(hide_password=True)
    if as_json:
        print_json({"database": database, "up_to_date": True})
    else:
        say(f"database at {database} is up to date")


def register(app: typer.Typer) -> None:
    app.add_typer(token_group, name="token")
    app.add_typer(db_group, name="db")
