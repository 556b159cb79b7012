"""Alert intake rules with no I/O: the one internal alert shape, label routing to a service
and a severity, what a notification does to its group's incident, and a per-key rate limit."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from warroom.core.playbook import Intake

AlertStatus = Literal["firing", "resolved"]
Action = Literal["trigger", "acknowledge", "resolve"]


class Alert(NamedTuple):
    """One alert as every source arrives at it, whatever its wire format. Immutable, as a
    named tuple rather than a frozen dataclass: parsing makes one per alert, and a named
    tuple is the cheaper to construct."""

    source: str
    group_key: str
    status: AlertStatus
    title: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Notification:
    """One payload: the alerts of one group, and what the sender asks for."""

    source: str
    group_key: str
    title: str
    alerts: tuple[Alert, ...]
    action: Action = "trigger"

    @property
    def firing(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.status == "firing")

    @property
    def all_resolved(self) -> bool:
        return self.action == "resolve" or not self.firing


Unit = tuple[list[int], Notification]


def coalesce(notes: Sequence[tuple[int, Notification]]) -> list[Unit]:
    """(integration id, notification) pairs in arrival order -> what to apply, in order, with
    the positions each unit stands for. A group's triggers that still fire, with nothing
    else of that group between them, become one notification carrying all their alerts: the
    same incident changes as one by one, with one timeline entry. Anything else stays alone,
    and each group keeps its order."""
    units: list[tuple[list[int], Notification, list[Alert]]] = []
    runs: dict[tuple[int, str], int] = {}  # group -> its unit still open to more triggers
    for position, (integration, note) in enumerate(notes):
        group = (integration, note.group_key)
        mergeable = note.action == "trigger" and not note.all_resolved
        run = runs.get(group)
        if mergeable and run is not None:
            units[run][0].append(position)
            units[run][2].extend(note.alerts)
            continue
        units.append(([position], note, list(note.alerts)))
        if mergeable:
            runs[group] = len(units) - 1
        else:
            runs.pop(group, None)
    return [
        (positions, note if len(positions) == 1 else replace(note, alerts=tuple(alerts)))
        for positions, note, alerts in units
    ]


@dataclass(frozen=True)
class Route:
    service: str | None
    severity: int
    drop: bool = False


def route(intake: Intake, labels: Mapping[str, str]) -> Route:
    """The first rule whose matchers all equal the labels decides; the defaults fill the rest."""
    service = next((labels[n] for n in intake.service_labels if labels.get(n)), None)
    raw = labels.get(intake.severity_label, "").strip().lower()
    severity = intake.severity_map.get(raw, intake.default_severity)
    for rule in intake.rules:
        if all(labels.get(name) == value for name, value in rule.match.items()):
            if rule.drop:
                return Route(service, severity, drop=True)
            return Route(rule.service or service, rule.severity or severity)
    return Route(service, severity)


@dataclass(frozen=True)
class Plan:
    """What a notification's kept alerts mean for the incident: its severity, services
    (catalog ones only; the raw labels stay on the alerts), title and detection time."""

    alerts: tuple[Alert, ...]
    severity: int
    services: tuple[str, ...]
    detected_at: datetime | None


def deciding_labels(intake: Intake) -> tuple[str, ...]:
    """The only labels `route` reads: alerts alike in these are routed alike."""
    matched = (name for rule in intake.rules for name in rule.match)
    return tuple(dict.fromkeys([*intake.service_labels, intake.severity_label, *matched]))


def plan(intake: Intake, notification: Notification, catalog: Collection[str]) -> Plan:
    kept: list[Alert] = []
    severities: list[int] = []
    services: list[str] = []
    deciding = deciding_labels(intake)
    routes: dict[tuple[str | None, ...], Route] = {}  # a payload's alerts mostly route alike
    for alert in notification.alerts:
        seen = tuple(map(alert.labels.get, deciding))
        decided = routes.get(seen) or routes.setdefault(seen, route(intake, alert.labels))
        if decided.drop:
            continue
        kept.append(alert)
        if alert.status == "firing":
            severities.append(decided.severity)
        if decided.service and decided.service in catalog and decided.service not in services:
            services.append(decided.service)
    firing = [a.starts_at for a in kept if a.status == "firing"]
    return Plan(
        alerts=tuple(kept),
        severity=min(severities, default=intake.default_severity),
        services=tuple(services),
        detected_at=min(firing, default=None),
    )


class GroupMove(StrEnum):
    DECLARE = "declare"
    ATTACH = "attach"
    REOPEN = "reopen"
    IGNORE = "ignore"


def group_move(
    *,
    firing: bool,
    incident_resolved_at: datetime | None,
    has_incident: bool,
    now: datetime,
    reopen_window: timedelta,
) -> GroupMove:
    """One open incident per group: attach to it; a group firing again within the reopen
    window after its incident was resolved reopens it; later, or with no incident, a firing
    group declares a new one. Resolutions for a group with nothing open change nothing."""
    if has_incident and incident_resolved_at is None:
        return GroupMove.ATTACH
    if not firing:
        return GroupMove.IGNORE
    if incident_resolved_at is not None and now - incident_resolved_at <= reopen_window:
        return GroupMove.REOPEN
    return GroupMove.DECLARE


def incident_title(notification: Notification, limit: int = 500) -> str:
    title = notification.title.strip() or "Alert"
    return title if len(title) <= limit else title[: limit - 1] + "…"


class RateLimiter:
    """A sliding one-minute window per key; `hit` returns seconds to wait when over."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[datetime]] = {}

    def hit(self, key: str, now: datetime) -> int | None:
        window = self._hits.setdefault(key, deque())
        while window and now - window[0] >= timedelta(minutes=1):
            window.popleft()
        if len(window) >= self.per_minute:
            wait = timedelta(minutes=1) - (now - window[0])
            return max(1, int(wait.total_seconds()) + 1)
        window.append(now)
        return None


def summarise(alerts: Sequence[Alert], limit: int = 20) -> dict[str, Any]:
    """The `alert_attached` event's data: counts and the first few alerts."""
    firing = sum(1 for a in alerts if a.status == "firing")
    return {
        "count": len(alerts),
        "firing": firing,
        "resolved": len(alerts) - firing,
        "alerts": [
            {"fingerprint": a.fingerprint, "status": a.status, "title": a.title}
            for a in alerts[:limit]
        ],
    }
