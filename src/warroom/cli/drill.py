"""`warroom drill`: replay the playbook's escalation on a virtual clock; sends nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import typer

from warroom.cli.output import fail, print_json, print_table
from warroom.cli.state import settings
from warroom.core.drill import DRILL_START, DrillEntry, simulate
from warroom.core.durations import parse_duration
from warroom.core.playbook import PlaybookInvalid
from warroom.core.playbook_file import load_playbook


def _duration(value: str | None, option: str) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        fail(f"{option}: {exc}", code=2)


def drill(
    severity: int = typer.Option(..., "--severity", "-s", help="Severity to declare."),
    ack_after: str = typer.Option(
        None, "--ack-after", help="Everyone acknowledges each message this long after it is sent."
    ),
    resolve_after: str = typer.Option(None, "--resolve-after", help="Resolve after this long."),
    failed_attempts: int = typer.Option(
        0, "--failed-attempts", min=0, help="Failed resolution attempts, one every 5 minutes."
    ),
    horizon: str = typer.Option("24h", "--horizon", help="How far to replay."),
    declared_at: str = typer.Option(
        None,
        "--declared-at",
        help="When the incident is declared (ISO 8601; without an offset, in the playbook's "
        "timezone). Default: a Monday 10:00 UTC, inside business hours.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Show who the playbook pages, when and through what, for an incident nobody
    (or everyone, with --ack-after) answers. Runs the live planner; sends nothing."""
    try:
        playbook = load_playbook(settings().playbook_path)
    except PlaybookInvalid as exc:
        fail(str(exc))
    if severity not in playbook.severities:
        fail(
            f"--severity: {severity} is not in the playbook "
            f"(known: {', '.join(map(str, playbook.severities))})",
            code=2,
        )
    start = _moment(declared_at, playbook.timezone)
    entries = simulate(
        playbook,
        severity,
        ack_after=_duration(ack_after, "--ack-after"),
        resolve_after=_duration(resolve_after, "--resolve-after"),
        failed_attempts=failed_attempts,
        horizon=_duration(horizon, "--horizon") or timedelta(hours=24),
        start=start,
    )
    if as_json:
        print_json([entry.as_json() for entry in entries])
        return
    name = playbook.severities[severity].name
    columns = ["After (h:mm)", "Action", "Level / role", "Who", "Through", "Why"]
    rows = [_row(entry, playbook.person_name) for entry in entries]
    if declared_at is not None:
        zone = ZoneInfo(playbook.timezone)
        columns.insert(1, f"When ({playbook.timezone})")
        for row, entry in zip(rows, entries, strict=True):
            at = start + timedelta(seconds=entry.at_seconds)
            row.insert(1, f"{at.astimezone(zone):%a %Y-%m-%d %H:%M}")
    print_table(f"Drill: Sev{severity} ({name}) on {playbook.name}", columns, rows)


def _moment(value: str | None, timezone: str) -> datetime:
    if value is None:
        return DRILL_START
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--declared-at: {value!r} is not an ISO 8601 date and time", code=2)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def _row(entry: DrillEntry, name_of: Callable[[str], str]) -> list[str]:
    minutes, seconds = divmod(entry.at_seconds, 60)
    hours, minutes = divmod(minutes, 60)
    through = f"{entry.method} {entry.address}" if entry.method else ""
    who = name_of(entry.person) if entry.person else ""
    return [
        f"+{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else ""),
        entry.action,
        entry.level or entry.role or "",
        who,
        through,
        entry.reason,
    ]


def register(app: typer.Typer) -> None:
    app.command()(drill)
