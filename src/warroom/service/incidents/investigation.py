"""What the responders learn while they work an incident: the fixes they tried, and what
the incident affects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from warroom.core import incident as rules
from warroom.core.incident import EventKind
from warroom.errors import InvalidInput
from warroom.service.context import Context
from warroom.service.incidents.lifecycle import act_on, check_services
from warroom.service.schemas import IncidentOut
from warroom.store.incident_queries import failed_attempt_count


def record_attempt(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    action: str,
    outcome: str,
    actor: str,
    hypothesis: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    action = rules.require_text(action, "action")
    rules.check_texts(hypothesis=hypothesis)
    if outcome not in ("failed", "succeeded", "pending"):
        raise InvalidInput("outcome is failed, succeeded or pending", "outcome")
    act = act_on(ctx, session, reference, actor)
    moment = act.moment(at)
    failed = failed_attempt_count(session, act.incident.id) + (outcome == "failed")
    data = {
        "action": action,
        "hypothesis": hypothesis,
        "outcome": outcome,
        "failed_attempts": failed,
    }
    return act.record(EventKind.RESOLUTION_ATTEMPT, moment, data)


def assess_impact(
    ctx: Context,
    session: Session,
    reference: str,
    *,
    actor: str,
    affected_users_pct: float | None = None,
    services: Sequence[str] | None = None,
    business_impact: str | None = None,
    at: datetime | None = None,
) -> IncidentOut:
    if affected_users_pct is not None and not 0 <= affected_users_pct <= 100:
        raise InvalidInput("affected_users_pct is a percentage from 0 to 100", "affected_users_pct")
    if services is not None:
        check_services(ctx, services)
    rules.check_texts(business_impact=business_impact)
    assessed = _assessed(affected_users_pct, services, business_impact)
    act = act_on(ctx, session, reference, actor)
    moment = act.moment(at)
    act.incident.impact = {**act.incident.impact, **assessed}
    if services is not None:
        act.incident.services = list(dict.fromkeys([*act.incident.services, *services]))
    return act.record(EventKind.IMPACT_ASSESSED, moment, assessed)


def _assessed(
    affected_users_pct: float | None, services: Sequence[str] | None, business_impact: str | None
) -> dict[str, Any]:
    """The fields given, at least one of them."""
    assessed: dict[str, Any] = {
        key: value
        for key, value in (
            ("affected_users_pct", affected_users_pct),
            ("services", list(services) if services is not None else None),
            ("business_impact", business_impact),
        )
        if value is not None
    }
    if not assessed:
        raise InvalidInput(
            "give at least one of affected_users_pct, services, business_impact",
            "affected_users_pct",
        )
    return assessed
