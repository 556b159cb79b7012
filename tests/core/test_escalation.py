"""The escalation planner against the seed playbook (SPEC §3a), on a fixed clock.

`Incident` below plays the engine on paper: it performs every due step at its due time and
records what went out, so each test can assert the exact messages sent and nothing more.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from warroom.core.escalation import plan
from warroom.core.escalation_state import EscalationState, SentMessage, Step, performed
from warroom.core.playbook import Playbook

T0 = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # Monday, inside business hours
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
ROLES = {
    "incident_commander": "sre-lead",
    "technical_lead": "backend-lead",
    "communications_lead": "product-manager",
}
Sent = tuple[int, str, str | None, str | None]  # minute, action, level or role, person


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


class Incident:
    """An incident run by the planner: each due step performed once, at its due time."""

    def __init__(
        self, playbook: Playbook, state: EscalationState, answer_after: timedelta | None = None
    ) -> None:
        self.playbook = playbook
        self.state = state
        self.answer_after = answer_after  # everyone answers each message this long after
        self.now = state.declared_at
        self.log: list[Step] = []

    def run_until(self, until: datetime) -> list[Step]:
        """Perform everything due up to `until`; return the steps performed on the way."""
        performed: list[Step] = []
        for _ in range(10_000):
            self._answer()
            current = plan(self.state, self.playbook, self.now)
            for step in current.due:
                self._perform(step)
            performed += current.due
            if current.due:
                continue
            wake = min(filter(None, (current.next_wake, self._next_answer())), default=None)
            if wake is None or wake > until:
                break
            self.now = wake
        self.now = max(self.now, until)
        self.log += performed
        return performed

    def _answer(self) -> None:
        if self.answer_after is not None:
            answer_after = self.answer_after
            self.change(
                messages=tuple(
                    replace(m, acknowledged_at=m.sent_at + answer_after)
                    if m.acknowledged_at is None and m.sent_at + answer_after <= self.now
                    else m
                    for m in self.state.messages
                )
            )

    def _next_answer(self) -> datetime | None:
        if self.answer_after is None:
            return None
        waiting = [m.sent_at for m in self.state.messages if m.acknowledged_at is None]
        return min(waiting) + self.answer_after if waiting else None

    def _perform(self, step: Step) -> None:
        self.state = performed(self.state, step, self.now)

    def change(self, **changes: object) -> None:
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]

    def acknowledge_message(self, key: str, at: datetime) -> None:
        self.change(
            messages=tuple(
                replace(m, acknowledged_at=at) if m.key == key else m for m in self.state.messages
            )
        )


def _sent(steps: list[Step], action: str | None = None) -> list[Sent]:
    return [
        (int((s.due_at - T0) / MIN), s.action, s.level or s.role, s.person)
        for s in steps
        if action is None or s.action == action
    ]


def _messages(steps: list[Step]) -> list[Sent]:
    return [s for s in _sent(steps) if s[1] not in ("reminder", "sla_breached")]


# -- declaration ---------------------------------------------------------------------------


def test_a_sev1_declaration_pages_the_ic_technical_and_communications_leads_and_gives_the_cto_and_ceo_a_heads_up(  # noqa: E501
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
    assert [s.key for s in due][:1] == ["page:incident_commander:sre-lead:0"]


def test_a_sev3_declaration_pages_the_commander_and_technical_lead_only(
    playbook: Playbook,
) -> None:
    due = plan(_state(severity=3), playbook, T0).due
    assert [(s.action, s.person) for s in due] == [("page", "sre-lead"), ("page", "backend-lead")]


def test_a_declaration_pages_whoever_holds_the_role(playbook: Playbook) -> None:
    roles = {**ROLES, "technical_lead": "devops-lead"}
    due = plan(_state(severity=4, roles=roles), playbook, T0).due
    assert [(s.role, s.person) for s in due] == [("technical_lead", "devops-lead")]


# -- contact protocol ----------------------------------------------------------------------


def test_a_page_unanswered_for_10_minutes_goes_to_the_persons_next_contact(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(severity=3))
    incident.run_until(T0)
    assert incident.run_until(T0 + 9 * MIN) == []
    retries = incident.run_until(T0 + 10 * MIN)
    assert [(s.person, s.method, s.address, s.message_key) for s in retries] == [
        ("sre-lead", "slack", "@sre-lead", "page:incident_commander:sre-lead:0"),
        ("backend-lead", "slack", "@backend-lead", "page:technical_lead:backend-lead:0"),
    ]


def test_a_failed_delivery_counts_as_unanswered_at_once(playbook: Playbook) -> None:
    first = plan(_state(severity=3), playbook, T0).due[0]
    failed = SentMessage(first.key, "page", "sre-lead", first.role, None, 0, T0, None, T0 + 2 * MIN)
    state = _state(severity=3, done=frozenset({first.key}), messages=(failed,))
    due = [s for s in plan(state, playbook, T0 + 2 * MIN).due if s.action == "retry"]
    assert [(s.person, s.method, s.due_at) for s in due] == [("sre-lead", "slack", T0 + 2 * MIN)]


def test_a_page_whose_contacts_are_used_up_pages_the_roles_backup(playbook: Playbook) -> None:
    incident = Incident(playbook, _state(severity=3))
    steps = incident.run_until(T0 + 30 * MIN)
    assert _messages(steps) == [
        (0, "page", "incident_commander", "sre-lead"),
        (0, "page", "technical_lead", "backend-lead"),
        (10, "retry", "incident_commander", "sre-lead"),
        (10, "retry", "technical_lead", "backend-lead"),
        (20, "retry", "incident_commander", "sre-lead"),
        (20, "page", "technical_lead", "frontend-lead"),  # backend-lead: phone, slack only
        (30, "page", "incident_commander", "eng-manager"),
        (30, "retry", "technical_lead", "frontend-lead"),
        (30, "notify", "team_lead", "sre-lead"),
    ]


def test_a_roles_backup_is_paged_once_whichever_cause_comes_first(playbook: Playbook) -> None:
    incident = Incident(playbook, _state())
    steps = incident.run_until(T0 + 3 * HOUR)
    backup = [s for s in steps if s.action == "page" and s.person == "eng-manager"]
    assert [(s.due_at, s.reason) for s in backup] == [
        (T0 + 15 * MIN, "no acknowledgement within 15m: paging the backup")
    ]


def test_a_heads_up_whose_contacts_are_used_up_goes_no_further(playbook: Playbook) -> None:
    incident = Incident(playbook, _state(acknowledged_at=T0 + MIN))
    steps = incident.run_until(T0 + 29 * MIN)
    assert _messages(steps) == [
        (0, "page", "incident_commander", "sre-lead"),
        (0, "page", "technical_lead", "backend-lead"),
        (0, "page", "communications_lead", "product-manager"),
        (0, "heads_up", "cto", "cto"),
        (0, "heads_up", "ceo", "ceo"),
        (10, "retry", "cto", "cto"),  # phone, then SMS to the same number, then nothing
        (10, "retry", "ceo", "ceo"),
    ]


def test_a_notification_whose_contacts_are_used_up_reaches_the_next_level(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(severity=3, acknowledged_at=T0 + MIN))
    steps = incident.run_until(T0 + HOUR)
    assert [(m, a, who) for m, a, level, who in _messages(steps) if level == "team_lead"] == [
        (30, "notify", "sre-lead"),
        (40, "retry", "sre-lead"),
        (50, "retry", "sre-lead"),
    ]
    reached = [s for s in steps if s.action == "notify" and s.level == "eng_manager"]
    assert [(s.due_at, s.reason) for s in reached] == [
        (T0 + HOUR, "matrix 1h; team_lead did not answer")
    ]


def test_acknowledging_one_message_stops_that_messages_fallback_only(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(severity=1, acknowledged_at=T0 + MIN))
    incident.run_until(T0)
    incident.acknowledge_message("heads_up:cto:cto:0", T0 + 5 * MIN)
    retries = incident.run_until(T0 + 10 * MIN)
    assert _sent(retries) == [(10, "retry", "ceo", "ceo")]


def test_acknowledging_stops_page_fallbacks_but_not_the_matrix(playbook: Playbook) -> None:
    incident = Incident(playbook, _state(severity=2), answer_after=5 * MIN)
    incident.run_until(T0)
    incident.change(acknowledged_at=T0 + 5 * MIN)
    steps = incident.run_until(T0 + 3 * HOUR)
    assert [s for s in steps if s.role is not None and s.action in ("page", "retry")] == []
    assert [(m, level) for m, _, level, _ in _sent(steps, "notify")] == [
        (30, "eng_manager"),
        (60, "cto"),
        (120, "ceo"),
    ]


# -- SLAs and triggers ---------------------------------------------------------------------


def test_a_sev1_nobody_acknowledges_within_15_minutes_pages_the_incident_commanders_backup_and_breaches_the_response_sla(  # noqa: E501
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state())
    incident.run_until(T0 + 14 * MIN)
    at_15 = incident.run_until(T0 + 15 * MIN)
    assert [(s.action, s.sla, s.level or s.role, s.person) for s in at_15] == [
        ("sla_breached", "response", None, None),
        ("page", None, "incident_commander", "eng-manager"),
        ("notify", None, "cto", "cto"),
        ("reminder", None, "communications_lead", "product-manager"),
    ]


def test_a_sev1_acknowledged_within_15_minutes_meets_its_response_sla(playbook: Playbook) -> None:
    incident = Incident(playbook, _state(acknowledged_at=T0 + 14 * MIN))
    steps = incident.run_until(T0 + 29 * MIN)
    assert [s for s in steps if s.action in ("sla_breached", "notify")] == []
    assert [s for s in steps if s.person == "eng-manager"] == []


def test_at_sev1s_1_hour_the_matrix_and_the_resolution_target_together_reach_the_ceo_only(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(acknowledged_at=T0 + 5 * MIN), answer_after=5 * MIN)
    incident.run_until(T0 + 59 * MIN)
    at_hour = incident.run_until(T0 + HOUR)
    cadenced = ("reminder", "briefing")
    assert [(s.action, s.sla, s.level, s.reason) for s in at_hour if s.action not in cadenced] == [
        ("sla_breached", "resolution", None, "unresolved at 1h"),
        ("notify", None, "ceo", "matrix 1h; unresolved at 1h"),
    ]


def test_an_open_sev1_briefs_the_cto_and_the_ceo_every_hour_until_it_is_resolved(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(acknowledged_at=T0 + 5 * MIN), answer_after=5 * MIN)
    open_for_150_minutes = incident.run_until(T0 + 150 * MIN)
    incident.change(resolved_at=T0 + 150 * MIN)
    after_resolution = incident.run_until(T0 + 5 * HOUR)
    assert _sent(after_resolution, "briefing") == []
    assert _sent(open_for_150_minutes, "briefing") == [
        (60, "briefing", "cto", "cto"),
        (60, "briefing", "ceo", "ceo"),
        (120, "briefing", "cto", "cto"),
        (120, "briefing", "ceo", "ceo"),
    ]


def test_a_sev3_has_no_executive_briefing(playbook: Playbook) -> None:
    incident = Incident(playbook, _state(severity=3, acknowledged_at=T0 + MIN), answer_after=MIN)
    assert _sent(incident.run_until(T0 + 5 * HOUR), "briefing") == []


def test_each_level_is_notified_once(playbook: Playbook) -> None:
    state = _state(severity=2, acknowledged_at=T0 + MIN)
    incident = Incident(playbook, state, answer_after=5 * MIN)
    incident.change(failed_attempt_times=(T0 + 40 * MIN, T0 + 50 * MIN, T0 + 60 * MIN))
    steps = incident.run_until(T0 + 8 * HOUR)
    notified = [(m, level, reason) for m, level, reason in _levels(steps)]
    assert notified == [
        (30, "eng_manager", "matrix 30m"),
        (60, "cto", "matrix 1h; 3 failed resolution attempts"),
        (120, "ceo", "matrix 2h"),
    ]


def _levels(steps: list[Step]) -> list[tuple[int, str | None, str]]:
    return [
        (int((s.due_at - T0) / MIN), s.level, s.reason)
        for s in steps
        if s.action == "notify" and s.contact_index == 0
    ]


def test_the_third_failed_resolution_attempt_reaches_the_next_level(playbook: Playbook) -> None:
    state = _state(severity=2, acknowledged_at=T0 + 2 * MIN)
    incident = Incident(playbook, state)
    incident.change(failed_attempt_times=(T0 + 5 * MIN, T0 + 10 * MIN))
    assert _levels(incident.run_until(T0 + 20 * MIN)) == []
    incident.change(failed_attempt_times=(T0 + 5 * MIN, T0 + 10 * MIN, T0 + 20 * MIN))
    assert _levels(incident.run_until(T0 + 20 * MIN)) == [
        (20, "eng_manager", "3 failed resolution attempts")
    ]
    assert _levels(incident.run_until(T0 + 30 * MIN)) == []  # the matrix's 30m: reached


def test_a_trigger_switched_off_in_the_playbook_reaches_no_level(playbook: Playbook) -> None:
    quiet = playbook.model_copy(
        update={"triggers": playbook.triggers.model_copy(update={"unacknowledged": False})}
    )
    incident = Incident(quiet, _state())
    at_15 = incident.run_until(T0 + 15 * MIN)
    assert [s.action for s in at_15 if s.due_at == T0 + 15 * MIN] == ["sla_breached", "reminder"]


# -- severity changes ----------------------------------------------------------------------


def test_raising_sev3_to_sev1_after_40_minutes_pages_at_once_and_reaches_the_cto_now_nothing_twice(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(severity=3, acknowledged_at=T0 + 5 * MIN))
    incident.run_until(T0 + 40 * MIN)
    raised_at = T0 + 40 * MIN
    incident.change(severity=1, severity_raised_at=(raised_at,))
    now = incident.run_until(raised_at)
    assert all(s.due_at == raised_at for s in now)
    assert [(s.action, s.level or s.role, s.person, s.reason) for s in now] == [
        ("page", "communications_lead", "product-manager", "declared Sev1"),
        ("heads_up", "cto", "cto", "declared Sev1: heads-up"),
        ("heads_up", "ceo", "ceo", "declared Sev1: heads-up"),
        ("notify", "cto", "cto", "matrix 30m; severity raised"),
        ("reminder", "communications_lead", "product-manager", "no update for 30m"),
    ]
    messages = [(s.action, s.level or s.role, s.person) for s in now]
    assert ("notify", "cto", "cto") in messages and ("notify", "ceo", "ceo") not in messages
    assert ("page", "incident_commander", "sre-lead") not in messages  # paged at declaration
    later = incident.run_until(T0 + 59 * MIN)
    assert [s for s in later if s.action in ("page", "heads_up", "notify")] == []


def test_raising_sev2_to_sev1_after_70_minutes_reaches_every_level_whose_time_has_passed_once(
    playbook: Playbook,
) -> None:
    state = _state(severity=2, acknowledged_at=T0 + 5 * MIN)
    incident = Incident(playbook, state, answer_after=5 * MIN)
    incident.run_until(T0 + 70 * MIN)  # Sev2 reached eng_manager (30m) and cto (1h)
    incident.change(severity=1, severity_raised_at=(T0 + 70 * MIN,))
    now = incident.run_until(T0 + 70 * MIN)
    assert _levels(now) == [(70, "ceo", "matrix 30m; matrix 1h; unresolved at 1h; severity raised")]
    assert _levels(incident.run_until(T0 + 2 * HOUR)) == [(120, "board", "matrix 2h")]


def test_raising_the_severity_before_any_level_is_due_reaches_the_next_level(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(severity=3, acknowledged_at=T0 + 5 * MIN))
    incident.run_until(T0 + 10 * MIN)
    incident.change(severity=2, severity_raised_at=(T0 + 10 * MIN,))
    assert _levels(incident.run_until(T0 + 10 * MIN)) == [(10, "eng_manager", "severity raised")]


def test_lowering_the_severity_cancels_what_was_not_yet_due(playbook: Playbook) -> None:
    state = _state(severity=1, acknowledged_at=T0 + 5 * MIN)
    incident = Incident(playbook, state, answer_after=5 * MIN)
    incident.run_until(T0 + 20 * MIN)
    incident.change(severity=3, severity_lowered_at=(T0 + 20 * MIN,))
    steps = incident.run_until(T0 + 3 * HOUR)
    assert _levels(steps) == [
        (30, "team_lead", "matrix 30m: already engaged on the incident, no message"),
        (60, "eng_manager", "matrix 1h"),
        (120, "cto", "matrix 2h"),
    ]
    assert not any(s.level in ("ceo", "board") for s in steps)


# -- cadence, business hours, resolution ---------------------------------------------------


def test_no_update_within_15_minutes_reminds_the_communications_lead_and_again_each_15(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(acknowledged_at=T0 + MIN))
    reminders = _sent(incident.run_until(T0 + 45 * MIN), "reminder")
    assert reminders == [
        (15, "reminder", "communications_lead", "product-manager"),
        (30, "reminder", "communications_lead", "product-manager"),
        (45, "reminder", "communications_lead", "product-manager"),
    ]
    incident.change(last_update_at=T0 + 50 * MIN)
    assert _sent(incident.run_until(T0 + 64 * MIN), "reminder") == []
    assert _sent(incident.run_until(T0 + 65 * MIN), "reminder") == [
        (65, "reminder", "communications_lead", "product-manager")
    ]


def test_a_long_outage_of_the_worker_sends_one_reminder_not_a_burst(playbook: Playbook) -> None:
    state = _state(severity=2, acknowledged_at=T0 + MIN)
    due = plan(state, playbook, T0 + 5 * HOUR).due
    assert len([s for s in due if s.action == "reminder"]) == 1


def test_a_sev4_declared_saturday_pages_monday_0900(playbook: Playbook) -> None:
    saturday = datetime(2024, 1, 13, 10, 0, tzinfo=UTC)
    state = _state(severity=4, declared_at=saturday)
    assert [s for s in plan(state, playbook, saturday).due] == []
    upcoming = plan(state, playbook, saturday).upcoming
    first_page = next(s for s in upcoming if s.action == "page")
    monday_nine = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    assert (first_page.person, first_page.due_at) == ("backend-lead", monday_nine)
    messages = [s for s in upcoming if s.action in ("page", "notify", "retry", "reminder")]
    assert all(s.due_at >= monday_nine for s in messages)


def test_a_sev4_declared_inside_business_hours_pages_at_once(playbook: Playbook) -> None:
    due = plan(_state(severity=4), playbook, T0).due
    assert [(s.action, s.person) for s in due] == [("page", "backend-lead")]


def test_resolving_cancels_everything(playbook: Playbook) -> None:
    incident = Incident(playbook, _state())
    incident.run_until(T0 + 20 * MIN)
    incident.change(resolved_at=T0 + 20 * MIN)
    assert plan(incident.state, playbook, T0 + 5 * HOUR).due == ()
    assert plan(incident.state, playbook, T0 + 20 * MIN).next_wake is None
    assert incident.run_until(T0 + 24 * HOUR) == []


def test_planning_twice_gives_the_same_steps_with_the_same_keys(playbook: Playbook) -> None:
    incident = Incident(playbook, _state())
    incident.run_until(T0 + 42 * MIN)
    first = plan(incident.state, playbook, T0 + 50 * MIN)
    assert plan(incident.state, playbook, T0 + 50 * MIN) == first
    assert not {s.key for s in first.due + first.upcoming} & incident.state.done


def test_a_reopened_incident_does_not_replay_what_fell_due_while_it_was_resolved(
    playbook: Playbook,
) -> None:
    incident = Incident(playbook, _state(acknowledged_at=T0 + MIN), answer_after=5 * MIN)
    incident.run_until(T0 + 20 * MIN)
    incident.change(resolved_at=T0 + 20 * MIN)
    incident.run_until(T0 + 5 * HOUR)
    incident.change(resolved_at=None, reopened_at=(T0 + 5 * HOUR,))
    assert plan(incident.state, playbook, T0 + 5 * HOUR).due == ()
    later = incident.run_until(T0 + 6 * HOUR)
    assert _sent(later) == [
        (315, "reminder", "communications_lead", "product-manager"),
        (330, "reminder", "communications_lead", "product-manager"),
        (345, "reminder", "communications_lead", "product-manager"),
        (360, "reminder", "communications_lead", "product-manager"),
        (360, "briefing", "cto", "cto"),
        (360, "briefing", "ceo", "ceo"),
    ]


def test_a_sev4_page_after_hours_in_the_playbooks_timezone_waits_for_0900_there(
    playbook: Playbook,
) -> None:
    hours = playbook.business_hours.model_copy(update={"timezone": "America/New_York"})
    new_york = playbook.model_copy(update={"business_hours": hours})
    evening = datetime(2024, 1, 15, 22, 30, tzinfo=UTC)  # Monday 17:30 in New York
    state = _state(severity=4, declared_at=evening)
    page = next(s for s in plan(state, new_york, evening).upcoming if s.action == "page")
    assert page.due_at == datetime(2024, 1, 16, 14, 0, tzinfo=UTC)  # Tuesday 09:00 EST


FRIDAY_1800 = datetime(2024, 1, 19, 18, 0, tzinfo=UTC)
MONDAY = datetime(2024, 1, 22, tzinfo=UTC)


def test_a_sev4_declared_friday_evening_is_due_an_answer_at_1300_on_monday(
    playbook: Playbook,
) -> None:
    upcoming = plan(_state(severity=4, declared_at=FRIDAY_1800), playbook, FRIDAY_1800).upcoming
    due = {s.key: s.due_at for s in upcoming}
    assert due["page:technical_lead:backend-lead:0"] == MONDAY + 9 * HOUR
    assert due["sla:response"] == MONDAY + 13 * HOUR
    assert due["sla:resolution"] == MONDAY + 2 * timedelta(days=1) + 17 * HOUR  # 3 x 8h


def test_a_sev4_declared_friday_evening_and_answered_monday_0905_meets_its_response_sla(
    playbook: Playbook,
) -> None:
    state = _state(severity=4, declared_at=FRIDAY_1800, acknowledged_at=MONDAY + 9 * HOUR + 5 * MIN)
    incident = Incident(playbook, state, answer_after=5 * MIN)
    incident.now = FRIDAY_1800
    steps = incident.run_until(MONDAY + 17 * HOUR)
    assert [s.sla for s in steps if s.action == "sla_breached"] == []
    assert _at(steps, "page") == [MONDAY + 9 * HOUR]
    assert _at(steps, "notify") == [MONDAY + 10 * HOUR, MONDAY + 11 * HOUR]  # 1h and 2h in


def _at(steps: list[Step], action: str) -> list[datetime]:
    return [s.due_at for s in steps if s.action == action and s.method]
