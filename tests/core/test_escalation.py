"""The escalation planner against the seed playbook (SPEC §3a), on a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from warroom.core.drill import DrillEntry, simulate
from warroom.core.escalation import EscalationState, SentMessage, Step, plan
from warroom.core.playbook import Playbook

T0 = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # Monday, inside business hours
MIN = timedelta(minutes=1)
ROLES = {
    "incident_commander": "sre-lead",
    "technical_lead": "backend-lead",
    "communications_lead": "product-manager",
}


def _state(severity: int = 1, **changes: object) -> EscalationState:
    base = EscalationState(
        severity=severity,
        declared_at=T0,
        acknowledged_at=None,
        resolved_at=None,
        last_update_at=None,
        failed_attempt_times=(),
        roles=ROLES,
        done=frozenset(),
        messages=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _sent(step: Step, at: datetime, kind: str | None = None, **extra: object) -> SentMessage:
    return SentMessage(
        key=step.key,
        kind=kind or step.action,
        person=step.person or "",
        role=step.role,
        level=step.level,
        contact_index=step.contact_index or 0,
        sent_at=at,
        **extra,
    )  # type: ignore[arg-type]


def _performed(state: EscalationState, steps: tuple[Step, ...], at: datetime) -> EscalationState:
    sent = tuple(_sent(s, at) for s in steps if s.action in ("page", "heads_up", "notify"))
    return replace(state, done=state.done | {s.key for s in steps}, messages=state.messages + sent)


def _who(entries: list[DrillEntry], minute: int, action: str) -> list[tuple[str | None, ...]]:
    return [
        (e.level, e.person, e.method)
        for e in entries
        if e.at_seconds == minute * 60 and e.action == action
    ]


def test_a_sev1_declaration_pages_the_three_roles_and_gives_the_cto_and_ceo_a_heads_up(
    playbook: Playbook,
) -> None:
    due = plan(_state(), playbook, T0).due
    assert [(s.action, s.role or s.level, s.person, s.method) for s in due] == [
        ("page", "incident_commander", "sre-lead", "phone"),
        ("page", "technical_lead", "backend-lead", "phone"),
        ("page", "communications_lead", "product-manager", "slack"),
        ("heads_up", "cto", "cto", "phone"),
        ("heads_up", "ceo", "ceo", "phone"),
    ]


def test_a_sev3_declaration_pages_the_commander_and_technical_lead_only(
    playbook: Playbook,
) -> None:
    due = plan(_state(severity=3), playbook, T0).due
    assert [(s.action, s.person) for s in due] == [("page", "sre-lead"), ("page", "backend-lead")]


def test_a_page_unanswered_for_10_minutes_goes_to_the_persons_next_contact(
    playbook: Playbook,
) -> None:
    state = _performed(_state(severity=3), plan(_state(severity=3), playbook, T0).due, T0)
    assert plan(state, playbook, T0 + 9 * MIN).due == ()
    due = plan(state, playbook, T0 + 10 * MIN).due
    assert [(s.action, s.person, s.method, s.address) for s in due] == [
        ("retry", "sre-lead", "slack", "@sre-lead"),
        ("retry", "backend-lead", "slack", "@backend-lead"),
    ]
    assert plan(state, playbook, T0).next_wake == T0 + 10 * MIN


def test_a_failed_delivery_moves_the_protocol_on_at_once(playbook: Playbook) -> None:
    first = plan(_state(severity=3), playbook, T0).due[0]
    state = replace(
        _state(severity=3),
        done=frozenset({first.key}),
        messages=(_sent(first, T0, failed_at=T0 + 2 * MIN),),
    )
    due = [s for s in plan(state, playbook, T0 + 2 * MIN).due if s.action == "retry"]
    assert [(s.person, s.method) for s in due] == [("sre-lead", "slack")]


def test_contacts_used_up_on_a_page_pages_the_roles_backup(playbook: Playbook) -> None:
    entries = simulate(playbook, 3, horizon=timedelta(minutes=25))
    assert _who(entries, 10, "retry") == [
        (None, "sre-lead", "slack"),
        (None, "backend-lead", "slack"),
    ]
    assert _who(entries, 20, "page") == [(None, "frontend-lead", "slack")]
    assert _who(entries, 20, "retry") == [(None, "sre-lead", "email")]


def test_a_sev1_nobody_acknowledges_within_15_minutes_pages_the_incident_commanders_backup(
    playbook: Playbook,
) -> None:
    entries = simulate(playbook, 1, horizon=timedelta(minutes=16))
    assert _who(entries, 15, "page") == [(None, "eng-manager", "phone")]
    breach = [e for e in entries if e.action == "sla_breached"]
    assert [(e.at_seconds, e.reason) for e in breach] == [(900, "no acknowledgement within 15m")]
    assert _who(entries, 15, "notify") == [("cto", "cto", "phone")]


def test_the_backup_is_paged_once_whichever_cause_comes_first(playbook: Playbook) -> None:
    entries = simulate(playbook, 1, horizon=timedelta(hours=2))
    backups = [e for e in entries if e.action == "page" and e.person == "eng-manager"]
    assert len(backups) == 1


def test_acknowledging_stops_page_fallbacks_but_not_the_matrix(playbook: Playbook) -> None:
    entries = simulate(playbook, 1, ack_after=5 * MIN, horizon=timedelta(hours=5))
    assert [e for e in entries if e.action == "retry"] == []
    assert [(e.at_seconds // 60, e.level) for e in entries if e.action == "notify"][:3] == [
        (30, "cto"),
        (60, "ceo"),
        (120, "board"),
    ]


def test_at_sev1s_hour_the_matrix_and_the_resolution_target_together_reach_the_ceo_only(
    playbook: Playbook,
) -> None:
    entries = simulate(playbook, 1, ack_after=5 * MIN, horizon=timedelta(minutes=61))
    at_one_hour = _who(entries, 60, "notify")
    assert at_one_hour == [("ceo", "ceo", "phone")]
    reasons = {e.reason for e in entries if e.at_seconds == 3600 and e.action == "notify"}
    assert reasons == {"matrix 1h; unresolved at 1h"}
    assert _who(entries, 60, "sla_breached") == [(None, None, None)]


def test_each_level_is_notified_once(playbook: Playbook) -> None:
    entries = simulate(playbook, 2, ack_after=5 * MIN, horizon=timedelta(hours=8))
    notified = [(e.level, e.person) for e in entries if e.action == "notify"]
    assert notified == [("eng_manager", "eng-manager"), ("cto", "cto"), ("ceo", "ceo")]


def test_an_unanswered_notification_reaches_the_next_level(playbook: Playbook) -> None:
    entries = simulate(playbook, 3, horizon=timedelta(hours=2))
    team_lead = [e for e in entries if e.level == "team_lead"]
    assert [(e.at_seconds // 60, e.action, e.method) for e in team_lead] == [
        (30, "notify", "phone"),
        (40, "retry", "slack"),
        (50, "retry", "email"),
    ]
    assert _who(entries, 60, "notify") == [("eng_manager", "eng-manager", "phone")]


def test_the_third_failed_resolution_attempt_reaches_the_next_level(playbook: Playbook) -> None:
    state = _state(
        severity=2,
        acknowledged_at=T0 + 2 * MIN,
        failed_attempt_times=(T0 + 5 * MIN, T0 + 10 * MIN, T0 + 20 * MIN),
    )
    notify = [s for s in plan(state, playbook, T0 + 20 * MIN).due if s.action == "notify"]
    assert [(s.level, s.reason) for s in notify] == [
        ("eng_manager", "3 failed resolution attempts")
    ]
    two = replace(state, failed_attempt_times=state.failed_attempt_times[:2])
    assert [s for s in plan(two, playbook, T0 + 20 * MIN).due if s.action == "notify"] == []


def test_raising_sev3_to_sev1_after_40_minutes_applies_sev1_as_if_declared_so(
    playbook: Playbook,
) -> None:
    now = T0 + 40 * MIN
    sev3 = _state(severity=3, acknowledged_at=T0 + 5 * MIN)
    state = _performed(sev3, plan(sev3, playbook, T0).due, T0)
    state = _performed(state, plan(state, playbook, T0 + 30 * MIN).due, T0 + 30 * MIN)
    raised = replace(state, severity=1, severity_raised_at=(now,))
    due = plan(raised, playbook, now).due
    summary = [(s.action, s.role or s.level, s.person) for s in due]
    assert ("page", "communications_lead", "product-manager") in summary
    assert ("heads_up", "cto", "cto") in summary and ("heads_up", "ceo", "ceo") in summary
    assert ("page", "incident_commander", "sre-lead") not in summary  # paged already
    assert [(s.level, s.reason) for s in due if s.action == "notify"] == [
        ("cto", "matrix 30m"),
        ("ceo", "severity raised"),
    ]


def test_lowering_the_severity_cancels_what_was_not_yet_due(playbook: Playbook) -> None:
    now = T0 + 3 * timedelta(hours=1) + 5 * MIN
    sev2 = _state(severity=2, acknowledged_at=T0 + 5 * MIN)
    state = _performed(sev2, plan(sev2, playbook, T0).due, T0)
    lowered = replace(state, severity=4, severity_lowered_at=(now,))
    assert plan(lowered, playbook, now).due == ()
    upcoming = plan(lowered, playbook, now).upcoming
    assert all(s.due_at > now for s in upcoming)


def test_a_sev4_declared_on_saturday_pages_monday_at_nine(playbook: Playbook) -> None:
    saturday = datetime(2024, 1, 13, 10, 0, tzinfo=UTC)
    entries = simulate(playbook, 4, start=saturday, horizon=timedelta(hours=48))
    first = entries[0]
    assert (first.action, first.person) == ("page", "backend-lead")
    assert saturday + timedelta(seconds=first.at_seconds) == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


def test_no_update_within_the_cadence_reminds_the_communications_lead(
    playbook: Playbook,
) -> None:
    state = _state(severity=1, acknowledged_at=T0 + MIN)
    reminder = [s for s in plan(state, playbook, T0 + 15 * MIN).due if s.action == "reminder"]
    assert [(s.person, s.reason) for s in reminder] == [("product-manager", "no update for 15m")]
    updated = replace(state, last_update_at=T0 + 10 * MIN)
    assert [s for s in plan(updated, playbook, T0 + 15 * MIN).due if s.action == "reminder"] == []


def test_a_long_outage_of_the_worker_sends_one_reminder_not_a_burst(playbook: Playbook) -> None:
    state = _state(severity=2, acknowledged_at=T0 + MIN)
    reminders = [
        s for s in plan(state, playbook, T0 + 5 * timedelta(hours=1)).due if s.action == "reminder"
    ]
    assert len(reminders) == 1


def test_resolving_cancels_everything(playbook: Playbook) -> None:
    resolved = _state(resolved_at=T0 + 20 * MIN)
    assert plan(resolved, playbook, T0 + 5 * timedelta(hours=1)) == plan(resolved, playbook, T0)
    assert plan(resolved, playbook, T0).next_wake is None
    entries = simulate(playbook, 1, resolve_after=20 * MIN)
    assert entries[-1].action == "resolved" and entries[-1].at_seconds == 1200
    assert max(e.at_seconds for e in entries) == 1200


def test_no_step_is_planned_twice_and_steps_come_in_time_order(playbook: Playbook) -> None:
    for severity in playbook.severities:
        for ack in (None, 3 * MIN, 12 * MIN):
            entries = simulate(
                playbook, severity, ack_after=ack, failed_attempts=3, horizon=timedelta(hours=30)
            )
            times = [e.at_seconds for e in entries]
            assert times == sorted(times)
            keys = [(e.at_seconds, e.action, e.level, e.person, e.method) for e in entries]
            assert len(keys) == len(set(keys))
