"""`warroom list`: the incident list, newest first, page after page (the server's `next`
link) until it holds as many as asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.status import Status

from warroom.cli.client import ApiClient
from warroom.cli.output import errors, fail, print_listing, short_time
from warroom.cli.state import settings
from warroom.clock import ensure_utc

PATH = "/api/v1/incidents"
PAGE_MAX = 1000  # the largest page the server gives
STATUSES = ("open", "resolved", "all")
TITLES = {"open": "Open incidents", "resolved": "Resolved incidents", "all": "Incidents"}
COLUMNS = ["Reference", "Sev", "Status", "Title", "Declared (UTC)", "Acknowledged"]


@dataclass(frozen=True)
class Listed:
    """What the pages held: the incidents wanted and whether the server has more."""

    incidents: list[dict[str, Any]]
    more: bool


def list_incidents(
    all_: bool = typer.Option(False, "--all", help="Resolved ones too (as --status all)."),
    status: str = typer.Option(None, "--status", help="open (default), resolved or all."),
    severity: int = typer.Option(None, "--severity", "-s", help="Only this severity."),
    service: str = typer.Option(None, "--service", help="Only incidents affecting this service."),
    search: str = typer.Option(
        None, "--search", "-q", help="Text in the title, summary or reference (any case)."
    ),
    since: str = typer.Option(None, "--since", help="Declared at or after (UTC ISO 8601)."),
    until: str = typer.Option(None, "--until", help="Declared before (UTC ISO 8601)."),
    limit: int = typer.Option(
        None, "--limit", "-n", min=0, help="How many, newest first (default 100); 0 for all."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List incidents, newest first: the open ones unless told otherwise."""
    chosen = _status(all_, status)
    query = {
        "status": chosen,
        "severity": severity,
        "service": service,
        "q": search,
        "since": _moment(since, "--since"),
        "until": _moment(until, "--until"),
    }
    listed = fetch(ApiClient(settings()), query, limit, note=errors)
    if listed.more and limit is None and errors.is_terminal:
        errors.print(
            f"the newest {len(listed.incidents)} shown; --limit N for more, --limit 0 for all",
            style="dim",
            highlight=False,
        )
    rows = [_row(incident) for incident in listed.incidents]
    print_listing(listed.incidents, as_json, TITLES[chosen], COLUMNS, rows)


def fetch(client: ApiClient, query: dict[str, Any], limit: int | None, *, note: Console) -> Listed:
    """`limit` incidents (all when 0; one page of the server's default when None),
    following `next` from page to page; a note on a terminal while pages keep coming."""
    found: list[dict[str, Any]] = []
    params = {**query, "limit": _page_size(limit, 0)}
    with PagesNote(note) as pages:
        while True:
            page, following = client.page(PATH, **params)
            found += page
            if following is None or limit is None or 0 < limit <= len(found):
                break
            pages.fetched(len(found))
            cursor = httpx.URL(following).params.get("cursor")
            if cursor is None:
                break
            params = {**params, "cursor": cursor, "limit": _page_size(limit, len(found))}
    wanted = found if not limit else found[:limit]
    return Listed(wanted, following is not None or len(found) > len(wanted))


def _page_size(limit: int | None, have: int) -> int | None:
    if limit is None:
        return None
    return PAGE_MAX if limit == 0 else min(limit - have, PAGE_MAX)


class PagesNote:
    """Tells a person at a terminal how many incidents have come so far; silent when
    stderr is piped, and until a second page is needed."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._status: Status | None = None

    def fetched(self, count: int) -> None:
        if not self._console.is_terminal:
            return
        text = f"fetched {count} incidents, asking for more"
        if self._status is None:
            self._status = self._console.status(text)
            self._status.start()
        else:
            self._status.update(text)

    def __enter__(self) -> PagesNote:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._status is not None:
            self._status.stop()


def _status(all_: bool, status: str | None) -> str:
    if status is None:
        return "all" if all_ else "open"
    if status not in STATUSES:
        fail("--status is open, resolved or all", code=2)
    if all_ and status != "all":
        fail("--all lists every status; give --all or --status, not both", code=2)
    return status


def _moment(value: str | None, option: str) -> str | None:
    """A time as the server reads it (UTC); a date alone is its midnight, UTC."""
    if value is None:
        return None
    try:
        return ensure_utc(datetime.fromisoformat(value)).isoformat()
    except (ValueError, OverflowError):
        fail(f"{option} takes a UTC time in ISO 8601, such as 2024-01-15T10:00:00Z", code=2)


def _row(incident: dict[str, Any]) -> list[Any]:
    return [
        incident["reference"],
        incident["severity"],
        incident["status"],
        incident["title"],
        short_time(incident["declared_at"]),
        short_time(incident["acknowledged_at"]),
    ]
