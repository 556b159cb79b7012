"""In a backlog the scheduler takes the higher severities' work first."""

from __future__ import annotations

from datetime import timedelta

from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.service.incidents import lifecycle as incidents
from warroom.store.job_queries import claim_due_timers
from warroom.store.models import Incident


def test_a_sev1_wake_up_is_claimed_before_a_sev3_one_that_fell_due_earlier(
    ctx: Context, clock: ManualClock
) -> None:
    for severity in (3, 1):
        ctx.transact(
            incidents.declare,
            incidents.Declaration(title=f"Sev{severity} outage", severity=severity),
            actor="t",
        )
        clock.advance(timedelta(days=1))  # the Sev3 wake-up falls due a day earlier
    with ctx.db.unit_of_work() as session:
        [timer] = claim_due_timers(session, clock.now() + timedelta(days=30), 1)
        assert timer.incident_id is not None
        assert session.get(Incident, timer.incident_id).severity == 1  # type: ignore[union-attr]
