"""`warroom`: the command line. Each command group lives in its own module and registers here."""

from __future__ import annotations

import typer

from warroom.cli import admin, drill, engine, incidents, intake, playbook, post, server, statuspage
from warroom.cli import checklist as checklist_command
from warroom.cli import schedules as schedule_commands
from warroom.cli import storm as storm_command
from warroom.cli.state import begin_run

app = typer.Typer(
    name="warroom",
    help="Incident response, run as code: declare, page, escalate, communicate, learn.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    url: str = typer.Option(None, "--url", envvar="WARROOM_URL", help="warroom server URL."),
    token: str = typer.Option(None, "--token", envvar="WARROOM_TOKEN", help="API token."),
    database_url: str = typer.Option(
        None, "--database-url", envvar="WARROOM_DATABASE_URL", help="SQLAlchemy database URL."
    ),
    playbook_path: str = typer.Option(
        None, "--playbook", envvar="WARROOM_PLAYBOOK", help="Playbook YAML (default: built-in)."
    ),
) -> None:
    begin_run(url=url, token=token, database_url=database_url, playbook_path=playbook_path)


for module in (incidents, drill, playbook, admin, server, intake, statuspage, post, engine):
    module.register(app)
checklist_command.register(app)
schedule_commands.register(app)
storm_command.register(app)


def main() -> None:
    app()
