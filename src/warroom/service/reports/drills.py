"""Drill scores: for every drill, the time to its first page, the roles assigned and
whether its first update came within the severity's cadence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core.incident import EventKind
from warroom.core.metrics import score_drill
from warroom.service.context import Context
from warroom.store import report_queries as queries
from warroom.store.models import Incident

DRILL_KINDS = (EventKind.PAGE_SENT, EventKind.ROLE_ASSIGNED, EventKind.UPDATE_POSTED)


def drill_scores(ctx: Context, session: Session) -> list[dict[str, Any]]:
    """Every drill, scored: time to first page, roles assigned, first update within cadence."""
    drills = queries.drills(session)
    drill_ids = [d.id for d in drills]
    events = queries.events_of_kinds(session, drill_ids, DRILL_KINDS)
    paged = queries.paged_roles(session, drill_ids, ctx.playbook.roles)
    return [
        _score(
            ctx,
            drill,
            [e for e in events if e.incident_id == drill.id],
            {role for incident_id, role in paged if incident_id == drill.id and role},
        )
        for drill in drills
    ]


def _score(
    ctx: Context, drill: Incident, events: list[Any], paged_roles: set[str]
) -> dict[str, Any]:
    """A role counts as assigned when the drill paged its holder or someone assigned it."""

    def first(kind: str) -> datetime | None:
        return next((e.at for e in events if e.kind == kind), None)

    roles = {e.data.get("role") for e in events if e.kind == EventKind.ROLE_ASSIGNED}
    roles |= paged_roles
    severity = ctx.playbook.severities[drill.severity]
    result = score_drill(
        drill.declared_at,
        first(EventKind.PAGE_SENT),
        len(roles),
        len(ctx.playbook.roles),
        first(EventKind.UPDATE_POSTED),
        severity.update_every,
    )
    return {
        "reference": drill.reference,
        "title": drill.title,
        "severity": drill.severity,
        "declared_at": drill.declared_at,
        "time_to_first_page": result.time_to_first_page,
        "roles_assigned": result.roles_assigned,
        "roles_total": result.roles_total,
        "first_update_after": result.first_update_after,
        "first_update_on_time": result.first_update_on_time,
        "score": result.score,
    }
