"""`warroom drill`: the real planner replayed on a virtual clock, sending nothing.

From declaration, the simulation asks `plan` what is due, performs it on paper, and jumps to
the next moment anything can happen (a planned step, an acknowledgement, a failed attempt,
the resolution), until the incident is resolved, nothing is left, or the horizon is reached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from warroom.core.business_hours import clock_for
from warroom.core.durations import format_duration
from warroom.core.escalation import plan
from warroom.core.escalation_state import (
    EscalationState,
    SentMessage,
    Step,
    combined_reason,
    one_message_each,
    performed,
)
from warroom.core.playbook import Playbook
from warroom.core.schedules import holders_at

ATTEMPT_SPACING = timedelta(minutes=5)  # failed attempts at +5m, +10m, +15m ...
DRILL_START = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)  # a Monday inside business hours
MAX_MOMENTS = 10_000


@dataclass(frozen=True)
class DrillEntry:
    at_seconds: int
    action: str
    level: str | None
    person: str | None
    method: str | None
    reason: str
    address: str | None = None
    role: str | None = None
    key: str | None = None  # the planner's step key (None for acknowledged / resolved)

    def as_json(self) -> dict[str, object]:
        return {
            "at_seconds": self.at_seconds,
            # the JSON's actions are SPEC §3a's, which has none for a briefing: a message
            # to an escalation level, as a notification is
            "action": "notify" if self.action == "briefing" else self.action,
            "level": self.level,
            "person": self.person,
            "method": self.method,
            "reason": self.reason,
        }


def simulate(
    playbook: Playbook,
    severity: int,
    *,
    ack_after: timedelta | None = None,
    resolve_after: timedelta | None = None,
    failed_attempts: int = 0,
    horizon: timedelta = timedelta(hours=24),
    start: datetime = DRILL_START,
) -> list[DrillEntry]:
    """Every step the playbook takes for a Sev`severity` incident declared at `start`.

    With `ack_after`, everyone acknowledges each message that long after it is sent, and the
    incident is acknowledged by the answer to its first page. With `failed_attempts` K, K
    resolution attempts fail, one every 5 minutes from declaration (so the seed's third falls
    at +15m, before any matrix step, and its effect shows).
    """
    run = _Run(playbook, severity, start, ack_after, failed_attempts)
    resolve_at = start + resolve_after if resolve_after is not None else None
    end = max(clock_for(playbook, severity).after(start, horizon), resolve_at or start)
    now = start
    for _ in range(MAX_MOMENTS):
        if resolve_at is not None and now >= resolve_at:
            run.entry(now, "resolved", f"resolved after {format_duration(now - start)}", None)
            break
        current = plan(run.state(now), playbook, now)
        if current.due:
            for group in one_message_each(current.due):
                run.perform(group, now)
            continue
        following = run.next_moment(now, current.next_wake, resolve_at)
        if following is None or following > end:
            break
        now = following
    return run.entries


class _Run:
    def __init__(
        self,
        playbook: Playbook,
        severity: int,
        start: datetime,
        ack_after: timedelta | None,
        failed_attempts: int,
    ) -> None:
        self.playbook = playbook
        self.severity = severity
        self.start = start
        self.ack_after = ack_after
        self.attempts = tuple(start + ATTEMPT_SPACING * (n + 1) for n in range(failed_attempts))
        self.entries: list[DrillEntry] = []
        self.incident_acked: datetime | None = None
        self.acked_by: str | None = None
        self.done = EscalationState(  # what has been performed; answers are added per moment
            severity=severity,
            declared_at=start,
            acknowledged_at=None,
            resolved_at=None,
            last_update_at=None,
            failed_attempt_times=(),
            roles=holders_at(playbook.schedules, {}, playbook.primaries(), start),
            done=frozenset(),
            messages=(),
        )

    @property
    def messages(self) -> tuple[SentMessage, ...]:
        return self.done.messages

    def state(self, now: datetime) -> EscalationState:
        self._acknowledge_until(now)
        return replace(
            self.done,
            acknowledged_at=self.incident_acked,
            acknowledged_by=self.acked_by,
            failed_attempt_times=tuple(t for t in self.attempts if t <= now),
            messages=self._answered(now),
        )

    def _answered(self, now: datetime) -> tuple[SentMessage, ...]:
        if self.ack_after is None:
            return self.messages
        return tuple(
            replace(m, acknowledged_at=m.sent_at + self.ack_after)
            if m.sent_at + self.ack_after <= now
            else m
            for m in self.messages
        )

    def _acknowledge_until(self, now: datetime) -> None:
        if self.incident_acked or self.ack_after is None:
            return
        first_page = next((m for m in self.messages if m.kind == "page"), None)
        if first_page and first_page.sent_at + self.ack_after <= now:
            self.incident_acked = first_page.sent_at + self.ack_after
            self.acked_by = first_page.person
            self.entry(
                self.incident_acked,
                "acknowledged",
                "first page answered",
                None,
                person=first_page.person,
            )

    def perform(self, group: tuple[Step, ...], now: datetime) -> None:
        """One moment's steps to one person: each done, one entry naming every reason."""
        for step in group:
            self.done = performed(self.done, step, now)
        step = group[0]
        self.entry(
            now,
            step.action,
            combined_reason(group),
            next((s.level for s in group if s.level), None),
            person=step.person,
            method=step.method,
            address=step.address,
            role=step.role,
            key=step.key,
        )

    def next_moment(
        self, now: datetime, wake: datetime | None, resolve_at: datetime | None
    ) -> datetime | None:
        moments = [wake, resolve_at, *self.attempts]
        if self.ack_after is not None:
            moments += [m.sent_at + self.ack_after for m in self.messages]
        later = [m for m in moments if m is not None and m > now]
        return min(later, default=None)

    def entry(
        self,
        at: datetime,
        action: str,
        reason: str,
        level: str | None,
        *,
        person: str | None = None,
        method: str | None = None,
        address: str | None = None,
        role: str | None = None,
        key: str | None = None,
    ) -> None:
        seconds = int((at - self.start).total_seconds())
        self.entries.append(
            DrillEntry(seconds, action, level, person, method, reason, address, role, key)
        )
