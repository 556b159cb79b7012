"""The drill: the live planner on a virtual clock, with people answering as told."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.drill import DrillEntry, simulate
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import load_playbook

MIN = timedelta(minutes=1)
SEED = load_playbook()


def _at(entries: list[DrillEntry], action: str) -> list[tuple[int, str | None, str | None]]:
    return [
        (e.at_seconds // 60, e.level or e.role, e.person) for e in entries if e.action == action
    ]


def test_a_drill_nobody_answers_runs_the_whole_protocol_with_offsets_from_declaration(
    playbook: Playbook,
) -> None:
    entries = simulate(playbook, 1, horizon=timedelta(minutes=15))
    assert entries[0].at_seconds == 0 and entries[0].action == "page"
    assert _at(entries, "acknowledged") == []
    assert _at(entries, "sla_breached") == [(15, None, None)]
    assert (15, "incident_commander", "eng-manager") in _at(entries, "page")
    assert max(e.at_seconds for e in entries) == 15 * 60


def test_with_ack_after_the_first_pages_answer_acknowledges_the_incident(
    playbook: Playbook,
) -> None:
    entries = simulate(playbook, 2, ack_after=4 * MIN, horizon=timedelta(hours=4))
    assert _at(entries, "acknowledged") == [(4, None, "sre-lead")]
    assert _at(entries, "retry") == []
    assert _at(entries, "sla_breached") == [(240, None, None)]  # the resolution target, 4h
    assert [(m, level) for m, level, _ in _at(entries, "notify")] == [
        (30, "eng_manager"),
        (60, "cto"),
        (120, "ceo"),
    ]


def test_failed_attempts_fall_every_5_minutes_and_the_third_reaches_the_next_level(
    playbook: Playbook,
) -> None:
    entries = simulate(
        playbook, 3, ack_after=2 * MIN, failed_attempts=3, horizon=timedelta(minutes=40)
    )
    notify = [(e.at_seconds // 60, e.level, e.reason) for e in entries if e.action == "notify"]
    # the team lead is the commander, who has acknowledged: reached without a message
    reason = "3 failed resolution attempts: already engaged on the incident, no message"
    assert notify == [(15, "team_lead", reason)]
    [reached] = [e for e in entries if e.action == "notify"]
    assert reached.method is None


def test_resolving_ends_the_drill(playbook: Playbook) -> None:
    entries = simulate(playbook, 1, resolve_after=20 * MIN)
    assert (entries[-1].action, entries[-1].at_seconds) == ("resolved", 1200)
    assert entries[-1].reason == "resolved after 20m"
    assert max(e.at_seconds for e in entries) == 1200


def test_resolving_after_the_horizon_still_resolves(playbook: Playbook) -> None:
    entries = simulate(playbook, 4, ack_after=MIN, resolve_after=timedelta(hours=30))
    assert entries[-1].action == "resolved" and entries[-1].at_seconds == 30 * 3600


@settings(max_examples=40, deadline=None)
@given(
    severity=st.integers(min_value=1, max_value=4),
    ack_minutes=st.one_of(st.none(), st.integers(min_value=0, max_value=45)),
    resolve_minutes=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
    failed=st.integers(min_value=0, max_value=5),
)
def test_no_step_is_performed_twice_and_steps_come_in_time_order(
    severity: int, ack_minutes: int | None, resolve_minutes: int | None, failed: int
) -> None:
    entries = simulate(
        SEED,
        severity,
        ack_after=None if ack_minutes is None else ack_minutes * MIN,
        resolve_after=None if resolve_minutes is None else resolve_minutes * MIN,
        failed_attempts=failed,
        horizon=timedelta(hours=5),
    )
    times = [e.at_seconds for e in entries]
    assert times == sorted(times)
    keys = [e.key for e in entries if e.key is not None]
    assert len(keys) == len(set(keys))
    assert [e.action for e in entries].count("resolved") <= 1
    if resolve_minutes is not None:
        assert entries[-1].action == "resolved"
    acked = [e.at_seconds for e in entries if e.action == "acknowledged"]
    if acked:
        after = [e for e in entries if e.at_seconds >= acked[0] and e.role and e.key]
        assert [e for e in after if e.action == "retry" or "backup" in e.reason] == []
    reached: dict[str | None, set[int]] = {}
    for e in entries:
        if e.action == "notify":
            reached.setdefault(e.level, set()).add(e.at_seconds)
    assert all(len(moments) == 1 for moments in reached.values())  # each level reached once
    messages = [(e.at_seconds, e.person) for e in entries if e.method and e.person]
    assert len(messages) == len(set(messages))  # nobody gets two messages in the same second
