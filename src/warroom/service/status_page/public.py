"""The public status page's data: loaded once per change, shaped as Atlassian Statuspage's v2
API, kept in a cache that a request checks in microseconds.

Only published incidents are loaded, and only public fields leave this module: public
titles, statuses, times, severities as impact, affected components and the messages of
PUBLIC updates. Never internal titles, summaries, people, impact numbers, hypotheses,
resolutions or internal updates, and nothing at all of an unpublished incident.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from warroom.core import status as rules
from warroom.core.incident import EventKind
from warroom.service.context import Context
from warroom.store import status_queries
from warroom.store.models import TimelineEvent
from warroom.store.status_models import Maintenance

RECENT_INCIDENTS = 50  # Statuspage's incidents.json returns the 50 most recent
RESOLVED_BODY = "This incident has been resolved."


@dataclass(frozen=True)
class PublicIncident:
    """An incident reduced to what the public may see."""

    id: int
    reference: str
    name: str
    severity: int
    status: str
    services: list[str]
    declared_at: datetime
    resolved_at: datetime | None


@dataclass
class PublicStatus:
    """Everything the page, the v2 JSON and the feed show, computed at `generated_at`."""

    generated_at: datetime
    page: dict[str, Any]
    status: dict[str, str]
    components: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    unresolved: list[dict[str, Any]]
    maintenances: list[dict[str, Any]]
    history: list[dict[str, Any]] = field(default_factory=list)
    past_incidents: list[dict[str, Any]] = field(default_factory=list)
    valid_until: datetime | None = None


def stamp(moment: datetime | None) -> str | None:
    """Statuspage's time format: ISO 8601 UTC with milliseconds and Z."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def build(ctx: Context, session: Session, now: datetime) -> PublicStatus:
    """Load the public data and shape it; one read transaction."""
    cutoff = now - timedelta(days=rules.HISTORY_DAYS)
    incidents = _load_incidents(session, cutoff)
    overrides = [
        rules.Override(o.component, o.status, o.until)
        for o in status_queries.newest_overrides(session)
    ]
    windows = status_queries.maintenances_by_start(session)
    mapping = ctx.playbook.communication.status_page.component_status
    affecting = [_affecting(i) for i in incidents]
    services = list(ctx.playbook.services)
    statuses = rules.component_statuses(
        services, affecting, overrides, [_window(w) for w in windows], mapping, now
    )
    page = _page(ctx, incidents, now)
    components = _components(ctx, page, statuses, incidents, now)
    recent = incidents[:RECENT_INCIDENTS]
    unresolved = [i for i in incidents if i.resolved_at is None]
    shown = {i.id: i for i in itertools.chain(recent, unresolved)}
    events = _public_events(session, list(shown))
    by_id = {c["id"]: c for c in components}
    shaped = {i.id: _incident(ctx, page, i, events.get(i.id, []), by_id) for i in shown.values()}
    indicator = rules.indicator(statuses.values())
    return PublicStatus(
        generated_at=now,
        page=page,
        status={"indicator": indicator, "description": rules.DESCRIPTIONS[indicator]},
        components=components,
        incidents=[shaped[i.id] for i in recent],
        unresolved=[shaped[i.id] for i in unresolved],
        maintenances=[_maintenance(ctx, page, w, by_id, now) for w in reversed(windows)],
        history=_history(ctx, affecting, components, now),
        past_incidents=[_past(ctx, i) for i in incidents if i.resolved_at is not None][:100],
        valid_until=_next_transition(now, overrides, windows),
    )


def _load_incidents(session: Session, cutoff: datetime) -> list[PublicIncident]:
    return [
        PublicIncident(
            id=row.id,
            reference=row.reference,
            name=row.public_title or "",
            severity=row.severity,
            status=row.status,
            services=list(row.services or []),
            declared_at=row.declared_at,
            resolved_at=row.resolved_at if row.status == "resolved" else None,
        )
        for row in status_queries.published_incidents(session, since=cutoff)
    ]


def _public_events(session: Session, ids: Sequence[int]) -> dict[int, list[TimelineEvent]]:
    """The status changes and PUBLIC updates of these incidents, by incident."""
    if not ids:
        return {}
    found: dict[int, list[TimelineEvent]] = {}
    for event in status_queries.updates_and_status_changes(session, ids):
        if event.kind == EventKind.STATUS_CHANGED or event.data.get("audience") == "public":
            found.setdefault(event.incident_id, []).append(event)
    return found


def _affecting(incident: PublicIncident) -> rules.Affecting:
    return rules.Affecting(
        incident.severity, incident.services, incident.declared_at, incident.resolved_at
    )


def _window(window: Maintenance) -> rules.Window:
    return rules.Window(list(window.components), window.starts_at, window.ends_at)


def page_id(ctx: Context) -> str:
    url = ctx.playbook.communication.status_page.url
    return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:12]


def _page(ctx: Context, incidents: Sequence[PublicIncident], now: datetime) -> dict[str, Any]:
    times = [t for i in incidents for t in (i.declared_at, i.resolved_at) if t and t <= now]
    page = ctx.playbook.communication.status_page
    return {
        "id": page_id(ctx),
        "name": page.title,
        "url": page.url,
        "time_zone": "Etc/UTC",
        "updated_at": stamp(max(times, default=now)),
    }


def _components(
    ctx: Context,
    page: dict[str, Any],
    statuses: dict[str, str],
    incidents: Sequence[PublicIncident],
    now: datetime,
) -> list[dict[str, Any]]:
    oldest = min((i.declared_at for i in incidents), default=now)
    result = []
    for position, (key, service) in enumerate(ctx.playbook.services.items(), start=1):
        touched = [
            t
            for i in incidents
            if key in i.services
            for t in (i.declared_at, i.resolved_at)
            if t and t <= now
        ]
        result.append(
            {
                "id": key,
                "name": service.name,
                "status": statuses[key],
                "created_at": stamp(oldest),
                "updated_at": stamp(max(touched, default=oldest)),
                "position": position,
                "description": service.description or None,
                "showcase": True,
                "start_date": oldest.date().isoformat(),
                "group_id": None,
                "page_id": page["id"],
                "group": False,
                "only_show_if_degraded": False,
            }
        )
    return result


def _incident(
    ctx: Context,
    page: dict[str, Any],
    incident: PublicIncident,
    events: list[TimelineEvent],
    components: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    mapping = ctx.playbook.communication.status_page.component_status
    monitoring_at = next(
        (
            e.at
            for e in events
            if e.kind == EventKind.STATUS_CHANGED and e.data.get("to") == "monitoring"
        ),
        None,
    )
    updates = [_update(incident, e) for e in events if e.kind == EventKind.UPDATE_POSTED]
    if incident.resolved_at is not None:
        updates.append(_resolved_update(incident))
    updates.reverse()  # newest first, as Statuspage lists them
    times = [incident.declared_at, *(e.at for e in events), incident.resolved_at]
    return {
        "id": incident.reference,
        "name": incident.name,
        "status": rules.INCIDENT_STATUS.get(incident.status, "investigating"),
        "created_at": stamp(incident.declared_at),
        "updated_at": stamp(max(t for t in times if t is not None)),
        "monitoring_at": stamp(monitoring_at),
        "resolved_at": stamp(incident.resolved_at),
        "impact": rules.impact(incident.severity, mapping),
        "shortlink": f"{page['url'].rstrip('/')}/#incident-{incident.reference}",
        "started_at": stamp(incident.declared_at),
        "page_id": page["id"],
        "incident_updates": updates,
        "components": [components[s] for s in incident.services if s in components],
    }


def _update(incident: PublicIncident, event: TimelineEvent) -> dict[str, Any]:
    status = rules.INCIDENT_STATUS.get(str(event.data.get("status")), "investigating")
    return _update_dict(
        incident, f"{incident.reference}-{event.seq}", status, event.data["message"], event.at
    )


def _resolved_update(incident: PublicIncident) -> dict[str, Any]:
    assert incident.resolved_at is not None
    ident = f"{incident.reference}-resolved"
    return _update_dict(incident, ident, "resolved", RESOLVED_BODY, incident.resolved_at)


def _update_dict(
    incident: PublicIncident, ident: str, status: str, body: str, at: datetime
) -> dict[str, Any]:
    return {
        "id": ident,
        "status": status,
        "body": str(body),
        "incident_id": incident.reference,
        "created_at": stamp(at),
        "updated_at": stamp(at),
        "display_at": stamp(at),
        "affected_components": None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def _maintenance(
    ctx: Context,
    page: dict[str, Any],
    window: Maintenance,
    components: dict[str, dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    state = rules.maintenance_state(_window(window), now)
    ident = f"maintenance-{window.id}"
    update = {
        "id": f"{ident}-1",
        "status": "scheduled",
        "body": window.message or window.title,
        "incident_id": ident,
        "created_at": stamp(window.created_at),
        "updated_at": stamp(window.created_at),
        "display_at": stamp(window.created_at),
        "affected_components": None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }
    return {
        "id": ident,
        "name": window.title,
        "status": state,
        "created_at": stamp(window.created_at),
        "updated_at": stamp(min(now, max(window.created_at, window.starts_at))),
        "monitoring_at": None,
        "resolved_at": stamp(window.ends_at) if state == "completed" else None,
        "impact": "maintenance",
        "shortlink": f"{page['url'].rstrip('/')}/#{ident}",
        "started_at": stamp(window.starts_at),
        "page_id": page["id"],
        "incident_updates": [update],
        "components": [components[c] for c in window.components if c in components],
        "scheduled_for": stamp(window.starts_at),
        "scheduled_until": stamp(window.ends_at),
    }


def _history(
    ctx: Context,
    affecting: Sequence[rules.Affecting],
    components: Sequence[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    mapping = ctx.playbook.communication.status_page.component_status
    days = rules.history_days(now)
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "status": c["status"],
            "uptime": rules.uptime(c["id"], affecting, mapping, now),
            "days": [
                {"date": day.isoformat(), "status": status}
                for day, status in rules.daily_worst(c["id"], affecting, mapping, days, now).items()
            ],
        }
        for c in components
    ]


def _past(ctx: Context, incident: PublicIncident) -> dict[str, Any]:
    mapping = ctx.playbook.communication.status_page.component_status
    return {
        "id": incident.reference,
        "name": incident.name,
        "impact": rules.impact(incident.severity, mapping),
        "started_at": incident.declared_at,
        "resolved_at": incident.resolved_at,
    }


def _next_transition(
    now: datetime, overrides: Sequence[rules.Override], windows: Sequence[Maintenance]
) -> datetime:
    """When time alone changes the page: an override expiring, a window opening or closing,
    and at the latest the next minute (durations and uptime move)."""
    moments = [o.until for o in overrides] + [t for w in windows for t in (w.starts_at, w.ends_at)]
    next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return min([m for m in moments if m > now] + [next_minute])
