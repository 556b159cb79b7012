"""Status-page use cases: manual component overrides, maintenance windows, announcements
to the incident channel, and the cache in front of the public page.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session

from warroom.core import status as rules
from warroom.core.durations import parse_duration
from warroom.core.incident import (
    TITLE_MAX,
    EventKind,
    check_texts,
    in_calendar,
    require_text,
)
from warroom.core.templates import builtin
from warroom.errors import InvalidInput, NotFound
from warroom.service import jobs
from warroom.service.context import Context
from warroom.service.messages import render_or_fallback
from warroom.service.status_page.public import PublicStatus, build
from warroom.store import status_queries
from warroom.store.models import Incident, TimelineEvent
from warroom.store.queries import timeline
from warroom.store.status_models import ComponentOverride, Maintenance

OVERRIDE_STATUSES = rules.COMPONENT_STATUSES
ANNOUNCEMENT_SUBJECT = builtin("announcement.subject", "[{{ reference }}] {{ title }}")


class Generation:
    """Bumped by every change this process makes to the page: its own page is never stale."""

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


def invalidate(ctx: Context) -> None:
    ctx.runtime.part(Generation).bump()


def _invalidate_on_commit(ctx: Context, session: Session) -> None:
    """Bump the generation once the change is committed: a page built in between would
    otherwise be kept under the new generation with the old rows."""
    orm_events.listen(session, "after_commit", lambda _committed: invalidate(ctx), once=True)


# -- component overrides -------------------------------------------------------------------


def set_override(
    ctx: Context,
    session: Session,
    component: str,
    *,
    status: str,
    actor: str,
    until: datetime | None = None,
    duration: str | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """Set a component's status by hand until a time (or for a duration); it then expires."""
    check_texts(reason=reason)
    _check_component(ctx, component)
    if status not in OVERRIDE_STATUSES:
        raise InvalidInput(f"status is one of {', '.join(OVERRIDE_STATUSES)}", "status")
    now = ctx.clock.now()
    until = _until(now, until, duration)
    row = ComponentOverride(
        component=component,
        status=status,
        reason=(reason or "").strip(),
        until=until,
        actor=actor,
        created_at=now,
    )
    session.add(row)
    _invalidate_on_commit(ctx, session)
    return _override_out(row)


def clear_override(ctx: Context, session: Session, component: str, *, actor: str) -> None:
    """Give the component back to its incidents: an override that has already expired."""
    _check_component(ctx, component)
    now = ctx.clock.now()
    session.add(
        ComponentOverride(
            component=component,
            status=rules.OPERATIONAL,
            reason="cleared",
            until=now,
            actor=actor,
            created_at=now,
        )
    )
    _invalidate_on_commit(ctx, session)


def list_components(ctx: Context, session: Session) -> list[dict[str, Any]]:
    """Components with their current status and any active override."""
    status = current(ctx, session)
    now = ctx.clock.now()
    active = {o.component: o for o in status_queries.newest_overrides(session)}
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "status": c["status"],
            "override": _override_out(active[c["id"]])
            if c["id"] in active and active[c["id"]].until > now
            else None,
        }
        for c in status.components
    ]


def _until(now: datetime, until: datetime | None, duration: str | None) -> datetime:
    if (until is None) == (duration is None):
        raise InvalidInput("give either until or for (a duration such as 2h)", "until")
    if duration is not None:
        try:
            return now + parse_duration(duration)
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(str(exc), "for") from exc
    assert until is not None
    if until.tzinfo is None:
        raise InvalidInput("until needs a timezone (UTC: end it with Z)", "until")
    until = in_calendar(until, "until")
    if until <= now:
        raise InvalidInput("until must be in the future", "until")
    return until


def _override_out(row: ComponentOverride) -> dict[str, Any]:
    return {
        "component": row.component,
        "status": row.status,
        "until": row.until,
        "reason": row.reason,
        "actor": row.actor,
        "created_at": row.created_at,
    }


def _check_component(ctx: Context, component: str) -> None:
    if component not in ctx.playbook.services:
        known = ", ".join(ctx.playbook.services)
        raise NotFound(f"no component {component!r} (known: {known})", "component")


# -- maintenance windows -------------------------------------------------------------------


def create_maintenance(
    ctx: Context,
    session: Session,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    components: Sequence[str],
    actor: str,
    message: str = "",
) -> dict[str, Any]:
    title = require_text(title, "title", TITLE_MAX)
    check_texts(message=message)
    for component in components:
        if component not in ctx.playbook.services:
            raise InvalidInput(f"unknown component {component!r}", "components")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("times need a timezone (UTC: end them with Z)", "starts_at")
    starts_at, ends_at = in_calendar(starts_at, "starts_at"), in_calendar(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at", "ends_at")
    now = ctx.clock.now()
    row = Maintenance(
        title=title,
        message=(message or "").strip(),
        components=list(dict.fromkeys(components)),
        starts_at=starts_at,
        ends_at=ends_at,
        actor=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _invalidate_on_commit(ctx, session)
    return _maintenance_out(row, now)


def list_maintenances(ctx: Context, session: Session) -> list[dict[str, Any]]:
    now = ctx.clock.now()
    rows = status_queries.maintenances_by_start(session, latest_first=True)
    return [_maintenance_out(row, now) for row in rows]


def _maintenance_out(row: Maintenance, now: datetime) -> dict[str, Any]:
    window = rules.Window(row.components, row.starts_at, row.ends_at)
    return {
        "id": row.id,
        "title": row.title,
        "message": row.message,
        "components": row.components,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "status": rules.maintenance_state(window, now),
    }


# -- announcements -------------------------------------------------------------------------

_ANNOUNCED: dict[str, str] = {
    EventKind.DECLARED: "initial",
    EventKind.RESOLVED: "resolution",
    EventKind.UPDATE_POSTED: "update",
}


def announce(
    session: Session, ctx: Context, incident: Incident, event: TimelineEvent, now: datetime
) -> None:
    """Reaction: the initial notice, public updates and the resolution notice go to the
    playbook's incident-channel targets through the outbox; drills and records stay quiet."""
    invalidate(ctx)
    kind = _ANNOUNCED.get(event.kind)
    if kind is None or incident.drill or incident.retrospective:
        return
    if kind == "update" and event.data.get("audience") != "public":
        return
    targets = ctx.playbook.communication.announce_to
    if not targets:
        return
    body = render_or_fallback(ctx, incident, timeline(session, incident.id), kind)
    subject = ANNOUNCEMENT_SUBJECT(reference=incident.reference, title=incident.title)
    once = "" if kind == "initial" else f":{event.seq}"
    for url in targets:
        target = hashlib.sha256(url.encode()).hexdigest()[:16]
        jobs.enqueue(
            session,
            key=f"announce:{incident.id}:{kind}{once}:{target}",
            kind=f"announce_{kind}",
            method="apprise",
            address=url,
            subject=subject,
            body=body,
            now=now,
            incident_id=incident.id,
        )


# -- the cache in front of the public page ---------------------------------------------------

CHECK_EVERY = 1.0  # seconds between change checks against the database


@dataclass
class Entry:
    status: PublicStatus
    marker: tuple[Any, ...]
    generation: int
    checked: float
    rendered: dict[str, bytes] = field(default_factory=dict)


class StatusCache:
    """The public page, built once per change: a request costs a clock read and a lookup.

    An entry is served while nothing changed in this process (generation), time has not
    reached its next transition, and, re-checked at most every CHECK_EVERY seconds, the
    database's change marker (other processes' writes) is the same.
    """

    def __init__(self, ctx: Context, check_every: float = CHECK_EVERY) -> None:
        self.ctx = ctx
        self.check_every = check_every
        self._generation = ctx.runtime.part(Generation)
        self._entry: Entry | None = None
        self._lock = threading.Lock()
        self._renderers: dict[str, Callable[[PublicStatus], bytes]] = {}

    def fresh(self) -> Entry | None:
        """The current entry if it can be served without touching the database."""
        entry = self._entry
        if entry is None or entry.generation != self._generation.value:
            return None
        if time.monotonic() - entry.checked > self.check_every:
            return None
        valid_until = entry.status.valid_until
        if valid_until is not None and self.ctx.clock.now() >= valid_until:
            return None
        return entry

    def servable(self, name: str) -> bytes | None:
        """A body to answer with at once: the fresh one, or one due only for its periodic
        database check, which then runs in the background so no request waits on it."""
        entry = self._entry
        if (
            entry is None
            or entry.generation != self._generation.value
            or name not in entry.rendered
        ):
            return None
        valid_until = entry.status.valid_until
        if valid_until is not None and self.ctx.clock.now() >= valid_until:
            return None
        if time.monotonic() - entry.checked > self.check_every:
            self._check_in_background()
        return entry.rendered[name]

    def _check_in_background(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a check is already running

        def run() -> None:
            try:
                entry = self._refresh()
                for name, render in list(self._renderers.items()):
                    if name not in entry.rendered:
                        entry.rendered[name] = render(entry.status)
            finally:
                self._lock.release()

        threading.Thread(target=run, name="status-cache-check", daemon=True).start()

    def get(self) -> Entry:
        entry = self.fresh()
        if entry is not None:
            return entry
        with self._lock:  # one refresh at a time; those who waited take its result
            return self.fresh() or self._refresh()

    def document(self, name: str, render: Callable[[PublicStatus], bytes]) -> bytes:
        self._renderers[name] = render
        entry = self.get()
        body = entry.rendered.get(name)
        if body is None:
            body = entry.rendered[name] = render(entry.status)
        return body

    def _refresh(self) -> Entry:
        """A cache fill, not a use case: it reads in a transaction of its own whenever the
        entry is stale, for whichever request or background check found it so."""
        generation = self._generation.value
        now = self.ctx.clock.now()
        self._entry = self.ctx.read(_rechecked, self._entry, generation, now)
        return self._entry


def _rechecked(
    ctx: Context, session: Session, old: Entry | None, generation: int, now: datetime
) -> Entry:
    """The old entry, marked checked, while the database's marker, the generation and time
    leave it valid; else an entry built afresh."""
    marker = status_queries.change_marker(session)
    if (
        old is not None
        and old.marker == marker
        and old.generation == generation
        and (old.status.valid_until is None or now < old.status.valid_until)
    ):
        old.checked = time.monotonic()
        return old
    return Entry(build(ctx, session, now), marker, generation, time.monotonic())


def current(ctx: Context, session: Session) -> PublicStatus:
    """The public status now, uncached (CLI export, the components listing)."""
    return build(ctx, session, ctx.clock.now())
