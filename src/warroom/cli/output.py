"""How the CLI speaks: Rich tables for people, JSON for scripts, errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
errors = Console(stderr=True)


def say(message: str) -> None:
    """A line for people on stdout, never wrapped mid-word by the terminal width."""
    console.print(message, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def print_table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, out: Console = console
) -> None:
    """A table for people on a terminal; piped, one row per line, tab-separated (as `gh`
    prints), so that `grep` and `cut` see whole rows. The first column (a reference, an
    id) is never cut or wrapped: the others give way."""
    cells = [[_cell(value) for value in row] for row in rows]
    if not out.is_terminal:
        for row in cells:
            out.file.write("\t".join(row) + "\n")
        return
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        if index == 0:
            widest = max((len(row[0]) for row in cells if row), default=0)
            table.add_column(column, no_wrap=True, min_width=max(widest, len(column)))
        else:
            table.add_column(column)
    for row in cells:
        table.add_row(*map(escape, row))  # data, never markup: `[/b]` in an alert is text
    out.print(table)


def _cell(value: Any) -> str:
    """One cell on one line: tabs and line breaks inside it become spaces."""
    if value is None:
        return ""
    return " ".join(str(value).replace("\t", " ").splitlines()).strip()


def print_listing(
    data: Any, as_json: bool, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """A listing: `data` as JSON for scripts, else `rows` as a table for people."""
    if as_json:
        print_json(data)
    else:
        print_table(title, columns, rows)


def short_time(value: str | None) -> str:
    """'2024-01-15T10:00:00Z' -> '2024-01-15 10:00:00'."""
    if not value:
        return "-"
    return value.replace("T", " ").replace("Z", "").split("+")[0].split(".")[0]
