"""How the CLI speaks: Rich tables for people, JSON for scripts, errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
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


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


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
