"""Status-page rules with no I/O: component status, page indicator, impact, uptime.

Names and values are Atlassian Statuspage's, so consumers of its v2 API read ours unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

OPERATIONAL = "operational"
UNDER_MAINTENANCE = "under_maintenance"
COMPONENT_STATUSES = (
    OPERATIONAL,
    UNDER_MAINTENANCE,
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
_RANK = {status: rank for rank, status in enumerate(COMPONENT_STATUSES)}
_INDICATOR = {
    OPERATIONAL: "none",
    UNDER_MAINTENANCE: "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
}
# warroom's incident statuses as Statuspage's.
INCIDENT_STATUS = {
    "investigating": "investigating",
    "mitigating": "identified",
    "monitoring": "monitoring",
    "resolved": "resolved",
}
# Share of a period counted as down, Statuspage-style: a partial outage is not a full one.
DOWNTIME_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}
HISTORY_DAYS = 90


@dataclass(frozen=True)
class Affecting:
    """An incident as far as components care: its severity, services and time span."""

    severity: int
    services: Sequence[str]
    start: datetime
    end: datetime | None  # None while open


@dataclass(frozen=True)
class Override:
    component: str
    status: str
    until: datetime


@dataclass(frozen=True)
class Window:
    """A maintenance window."""

    components: Sequence[str]
    starts_at: datetime
    ends_at: datetime


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: _RANK.get(s, 0), default=OPERATIONAL)


def maintenance_state(window: Window, now: datetime) -> str:
    """Statuspage's scheduled-maintenance status: scheduled, in_progress or completed."""
    if now < window.starts_at:
        return "scheduled"
    return "in_progress" if now < window.ends_at else "completed"


def component_statuses(
    components: Sequence[str],
    incidents: Iterable[Affecting],
    overrides: Iterable[Override],
    windows: Iterable[Window],
    mapping: Mapping[int, str],
    now: datetime,
) -> dict[str, str]:
    """Each component's status now: the worst open incident or active maintenance on it,
    unless a manual override that has not yet expired says otherwise."""
    found: dict[str, list[str]] = {c: [] for c in components}
    for incident in incidents:
        if incident.end is None or incident.end > now:
            for service in incident.services:
                if service in found:
                    found[service].append(mapping.get(incident.severity, OPERATIONAL))
    for window in windows:
        if maintenance_state(window, now) == "in_progress":
            for service in window.components:
                if service in found:
                    found[service].append(UNDER_MAINTENANCE)
    statuses = {c: worst(found[c]) for c in components}
    for override in overrides:
        if override.component in statuses and override.until > now:
            statuses[override.component] = override.status
    return statuses


def indicator(statuses: Iterable[str]) -> str:
    """The page's indicator (none, minor, major, critical, maintenance) from its worst
    component."""
    return _INDICATOR.get(worst(statuses), "none")


def impact(severity: int, mapping: Mapping[int, str]) -> str:
    """An incident's Statuspage impact (none, minor, major, critical) from its severity."""
    status = mapping.get(severity, OPERATIONAL)
    return "none" if status == UNDER_MAINTENANCE else _INDICATOR.get(status, "none")


def history_days(now: datetime, days: int = HISTORY_DAYS) -> list[date]:
    """The last `days` UTC days, oldest first, ending today."""
    today = now.date()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def daily_worst(
    component: str,
    incidents: Iterable[Affecting],
    mapping: Mapping[int, str],
    days: Sequence[date],
    now: datetime,
) -> dict[date, str]:
    """The worst status a component had on each day of `days`."""
    result = {day: OPERATIONAL for day in days}
    for incident in incidents:
        if component not in incident.services:
            continue
        status = mapping.get(incident.severity, OPERATIONAL)
        day = incident.start.date()
        last = (incident.end or now).date()
        while day <= last:
            if day in result:
                result[day] = worst((result[day], status))
            day += timedelta(days=1)
    return result


def uptime(
    component: str,
    incidents: Iterable[Affecting],
    mapping: Mapping[int, str],
    now: datetime,
    days: int = HISTORY_DAYS,
) -> float:
    """Percentage of the last `days` the component was up, outages weighted Statuspage-style."""
    start = now - timedelta(days=days)
    total = (now - start).total_seconds()
    down = 0.0
    for incident in incidents:
        weight = DOWNTIME_WEIGHT.get(mapping.get(incident.severity, OPERATIONAL), 0.0)
        if not weight or component not in incident.services:
            continue
        begin, end = max(incident.start, start), min(incident.end or now, now)
        if end > begin:
            down += weight * (end - begin).total_seconds()
    return round(max(0.0, 100.0 * (1 - min(down, total) / total)), 2)
