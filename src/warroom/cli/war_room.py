"""`warroom show`'s war room: where the response happens, who holds each role, what to run
and which alerts fired, printed from the incident's JSON (SPEC §3b)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from warroom.cli.output import console, print_table, short_time

LINK_NAMES = {"chat": "chat", "video": "video", "status_page": "status page", "ui": "UI"}
PLACE_LABELS = ("instance", "pod", "host", "node")
NAMED_ELSEWHERE = ("alertname", "severity")
ALERT_COLUMNS = ["Labels", "Status", "Title", "First seen", "Last seen", "Links"]


def print_war_room(incident: Mapping[str, Any], out: Console = console) -> None:
    _print_pairs(out, "Links", _links(incident.get("links") or {}))
    resources = incident.get("resources") or {}
    _print_pairs(out, "Resources", [(k.replace("_", " "), v) for k, v in resources.items()])
    holders = incident.get("role_holders") or []
    _print_pairs(out, "Roles", [(h["role_name"], f"{h['name']} ({h['person']})") for h in holders])
    _print_runbooks(out, incident.get("runbooks") or [])
    _print_alerts(out, incident.get("alerts") or [], int(incident.get("alerts_total") or 0))
    if incident.get("storm"):
        _print_groups(out, incident.get("alert_groups") or [])


def _print_groups(out: Console, groups: Sequence[Mapping[str, Any]]) -> None:
    """A storm's alert groups, each with the key `warroom split` takes."""
    _heading(out, f"Alert groups of the storm ({len(groups)})")
    rows = [
        [g["group_key"], g["title"], f"{g['firing']}/{g['alerts']}", short_time(g["last_seen"])]
        for g in groups
    ]
    print_table("", ["Group key", "Title", "Firing", "Last seen"], rows, out=out)


def _links(links: Mapping[str, str | None]) -> list[tuple[str, str]]:
    return [(LINK_NAMES.get(name, name), url) for name, url in links.items() if url]


def _print_pairs(out: Console, heading: str, pairs: Sequence[tuple[str, str]]) -> None:
    if not pairs:
        return
    _heading(out, heading)
    width = max(len(name) for name, _ in pairs)
    for name, value in pairs:
        _line(out, f"  {name.ljust(width)}  {value}")


def _print_runbooks(out: Console, runbooks: Sequence[Mapping[str, Any]]) -> None:
    if not runbooks:
        return
    _heading(out, "Runbooks")
    for runbook in runbooks:
        if runbook.get("url"):
            _line(out, f"  {runbook['service']}: {runbook['url']}")
        for section in runbook.get("sections", []):
            _line(out, f"  {runbook['service']}: {section['title']}")
            for command in section["commands"]:
                _line(out, f"    {command['title']}")
                _line(out, f"      {command['command']}")


def _print_alerts(out: Console, alerts: Sequence[Mapping[str, Any]], total: int) -> None:
    """One row per alert, led by what tells it apart (a table's first column is never cut).
    Piped, each row ends with its links whole; on a terminal they follow the table, one a
    line, where no column's width cuts them."""
    if not alerts:
        return
    shown = f"{len(alerts)} newest of {total}" if total > len(alerts) else str(len(alerts))
    _heading(out, f"Alerts ({shown})")
    terminal = out.is_terminal
    rows = []
    for alert in alerts:
        row = [
            labels_summary(alert["labels"]),
            alert["status"],
            alert["title"],
            short_time(alert["first_seen"]),
            short_time(alert["last_seen"]),
        ]
        if not terminal:
            row.append(" ".join(f"{name}: {url}" for name, url in _alert_links(alert)))
        rows.append(row)
    print_table("", ALERT_COLUMNS[: len(rows[0])], rows, out=out)
    if terminal:
        for alert in alerts:
            for name, url in _alert_links(alert):
                _line(out, f"  {labels_summary(alert['labels'])}  {name}: {url}")


def _alert_links(alert: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(name, url) for name, url in (alert.get("links") or {}).items() if url]


def labels_summary(labels: Mapping[str, str]) -> str:
    """Which machine fired (its instance, pod, host or node), else the labels that tell
    this alert apart: all but its name and severity, already in its title and the
    incident's."""
    for name in PLACE_LABELS:
        if labels.get(name):
            return f"{name}={labels[name]}"
    return " ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in NAMED_ELSEWHERE)


def _heading(out: Console, text: str) -> None:
    out.print(f"[bold]{escape(text)}[/]", highlight=False, soft_wrap=True)


def _line(out: Console, text: str) -> None:
    """A line of data, printed as it is: no markup read in it, never wrapped mid-word."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)
