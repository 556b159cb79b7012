"""Tables fit where they are read: whole references on an 80-column terminal, one
tab-separated row per line when piped."""

from __future__ import annotations

import io

from rich.console import Console

from warroom.cli.output import print_table

COLUMNS = ["Reference", "Sev", "Status", "Title"]
LONG_TITLE = "Checkout fails for every customer paying by card in the EU region " * 2
ROWS = [
    ["2026-12-02-001", 1, "investigating", LONG_TITLE],
    ["2026-12-02-002", 3, "monitoring", "Slow\tsearch\nresults"],
]


def test_on_an_80_column_terminal_references_are_never_cut() -> None:
    screen = io.StringIO()
    print_table("Incidents", COLUMNS, ROWS, out=Console(file=screen, width=80, force_terminal=True))
    assert "2026-12-02-001" in screen.getvalue()
    assert "2026-12-02-002" in screen.getvalue()


def test_piped_tables_print_one_row_per_line_tab_separated() -> None:
    pipe = io.StringIO()
    print_table("Incidents", COLUMNS, ROWS, out=Console(file=pipe, width=80))
    lines = pipe.getvalue().splitlines()
    assert lines == [
        f"2026-12-02-001\t1\tinvestigating\t{LONG_TITLE.strip()}",
        "2026-12-02-002\t3\tmonitoring\tSlow search results",
    ]


def test_on_a_terminal_a_cell_that_looks_like_markup_prints_as_it_is() -> None:
    screen = io.StringIO()
    rows = [["2026-12-02-001", 1, "open", "disk a[/b] full [bold]now"]]
    terminal = Console(file=screen, width=120, force_terminal=True)
    print_table("Incidents", COLUMNS, rows, out=terminal)
    assert "disk a[/b] full [bold]now" in screen.getvalue()
