"""`warroom playbook check | show | export`: work with the policy file."""

from __future__ import annotations

from pathlib import Path

import typer

from warroom.cli.output import console, fail, print_json
from warroom.cli.state import settings
from warroom.clock import SystemClock
from warroom.core.playbook import Playbook, PlaybookInvalid, PlaybookProblem
from warroom.core.playbook_file import (
    builtin_playbook_text,
    check_playbook_text,
    dump_playbook,
    load_playbook,
)
from warroom.core.playbook_rules import review_warning
from warroom.core.schedule_rules import schedule_gaps
from warroom.notify.delivery import channel_problems

group = typer.Typer(help="Check, show and export the playbook.", no_args_is_help=True)


JsonFlag = typer.Option(False, "--json", help="Print JSON for scripts.")


@group.command()
def check(
    file: Path = typer.Argument(..., help="Playbook YAML to validate."), as_json: bool = JsonFlag
) -> None:
    """Validate a playbook; print every problem with its YAML path (exit 1 if any),
    a schedule with nobody on call at some moment of the next four weeks included."""
    now = SystemClock().now()
    playbook, problems = _checked(file)
    if playbook is not None:
        problems = [*problems, *schedule_gaps(playbook, now)]
    warning = None if playbook is None else review_warning(playbook, now.date())
    warnings = [warning] if warning else []
    ok = playbook is not None and not problems
    if as_json:
        problems_shown = [problem.model_dump() for problem in problems]
        print_json({"ok": ok, "problems": problems_shown, "warnings": warnings})
        raise typer.Exit(0 if ok else 1)
    if problems or playbook is None:
        for problem in problems:
            typer.echo(f"{file}: {problem}", err=True)
        fail(f"{len(problems)} problem(s) in {file}")
    for line in warnings:
        typer.echo(f"{file}: warning: {line}", err=True)
    console.print(
        f"{file}: ok ({playbook.name}, {len(playbook.severities)} severities, "
        f"{len(playbook.people)} people)",
        highlight=False,
    )


def _checked(file: Path) -> tuple[Playbook | None, list[PlaybookProblem]]:
    """The playbook in `file` (if it parsed) and every problem, channels' URLs included."""
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        return None, [PlaybookProblem(path="(file)", message=f"cannot read: {exc.strerror}")]
    playbook, problems = check_playbook_text(text)
    if playbook is not None:
        problems = [*problems, *channel_problems(playbook)]
    return playbook, problems


@group.command()
def show(
    file: Path = typer.Argument(None, help="Playbook YAML (default: the one in use)."),
    as_json: bool = JsonFlag,
) -> None:
    """Print the effective playbook, every default filled in (YAML, or JSON)."""
    path = file or settings().playbook_path
    try:
        playbook = load_playbook(path)
    except PlaybookInvalid as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    if as_json:
        print_json(playbook.model_dump(mode="json"))
    else:
        typer.echo(dump_playbook(playbook), nl=False)


@group.command()
def export() -> None:
    """Write the built-in default playbook (with its comments) to stdout, for editing."""
    typer.echo(builtin_playbook_text(), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="playbook")
