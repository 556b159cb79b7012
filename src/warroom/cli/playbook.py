"""`warroom playbook check | show | export`: work with the policy file."""

from __future__ import annotations

from pathlib import Path

import typer

from warroom.cli.output import console, fail
from warroom.cli.state import settings
from warroom.clock import SystemClock
from warroom.core.playbook import PlaybookInvalid
from warroom.core.playbook_file import (
    builtin_playbook_text,
    check_playbook_text,
    dump_playbook,
    load_playbook,
)
from warroom.core.playbook_rules import review_warning
from warroom.notify.delivery import channel_problems

group = typer.Typer(help="Check, show and export the playbook.", no_args_is_help=True)


@group.command()
def check(file: Path = typer.Argument(..., help="Playbook YAML to validate.")) -> None:
    """Validate a playbook; print every problem with its YAML path (exit 1 if any)."""
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    playbook, problems = check_playbook_text(text)
    if playbook is not None:
        problems = [*problems, *channel_problems(playbook)]
    if problems or playbook is None:
        for problem in problems:
            typer.echo(f"{file}: {problem}", err=True)
        fail(f"{len(problems)} problem(s) in {file}")
    warning = review_warning(playbook, SystemClock().now().date())
    if warning:
        typer.echo(f"{file}: warning: {warning}", err=True)
    console.print(
        f"{file}: ok ({playbook.name}, {len(playbook.severities)} severities, "
        f"{len(playbook.people)} people)",
        highlight=False,
    )


@group.command()
def show(
    file: Path = typer.Argument(None, help="Playbook YAML (default: the one in use)."),
) -> None:
    """Print the effective playbook, every default filled in."""
    path = file or settings().playbook_path
    try:
        typer.echo(dump_playbook(load_playbook(path)), nl=False)
    except PlaybookInvalid as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")


@group.command()
def export() -> None:
    """Write the built-in default playbook (with its comments) to stdout, for editing."""
    typer.echo(builtin_playbook_text(), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="playbook")
