"""The escalation planner: what the playbook says must happen for an incident, and when.

A pure function of the incident's state, the playbook and `now`. It derives every step the
policy calls for (declaration pages and heads-ups, the contact protocol's next contacts and
backups, the matrix levels and the automatic triggers, SLA breaches, update reminders),
leaves out the steps already performed (`state.done`), and returns those due now, the known
future ones and the next wake-up. The live engine performs the due steps and asks again;
`warroom drill` does the same on a virtual clock; the API shows `upcoming` as countdowns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby
from typing import Literal

from warroom.core.business_hours import next_business_moment
from warroom.core.durations import format_duration
from warroom.core.playbook import Playbook, Severity

Action = Literal["page", "heads_up", "notify", "retry", "sla_breached", "reminder"]
MessageKind = Literal["page", "heads_up", "notify"]
CHAINED_KINDS = ("page", "heads_up", "notify")


@dataclass(frozen=True)
class SentMessage:
    """A message the engine has sent (or queued) for this incident."""

    key: str
    kind: str
    person: str
    role: str | None
    level: str | None
    contact_index: int
    sent_at: datetime
    acknowledged_at: datetime | None = None
    failed_at: datetime | None = None


@dataclass(frozen=True)
class EscalationState:
    severity: int
    declared_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    last_update_at: datetime | None
    failed_attempt_times: tuple[datetime, ...]
    roles: Mapping[str, str]
    done: frozenset[str]
    messages: tuple[SentMessage, ...]
    severity_raised_at: tuple[datetime, ...] = ()
    severity_lowered_at: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Step:
    key: str
    due_at: datetime
    action: Action
    reason: str
    level: str | None = None
    person: str | None = None
    role: str | None = None
    method: str | None = None
    address: str | None = None
    contact_index: int | None = None
    sla: Literal["response", "resolution"] | None = None
    message_key: str | None = None


@dataclass(frozen=True)
class Plan:
    due: tuple[Step, ...]
    upcoming: tuple[Step, ...]
    next_wake: datetime | None


@dataclass(frozen=True)
class _Cause:
    """Something that reaches an escalation level at `at`."""

    at: datetime
    reason: str
    level: str | None = None  # the matrix names its level; triggers reach the next one


def plan(state: EscalationState, playbook: Playbook, now: datetime) -> Plan:
    if state.resolved_at is not None:
        return Plan(due=(), upcoming=(), next_wake=None)
    planner = _Planner(state, playbook, now)
    steps = _first_of_each_key(planner.steps())
    lowered = max(state.severity_lowered_at, default=None)
    pending = sorted(
        (s for s in steps if s.key not in state.done and not (lowered and s.due_at < lowered)),
        key=lambda s: s.due_at,
    )
    due = tuple(s for s in pending if s.due_at <= now)
    upcoming = tuple(s for s in pending if s.due_at > now)
    return Plan(due=due, upcoming=upcoming, next_wake=upcoming[0].due_at if upcoming else None)


def _first_of_each_key(steps: Iterator[Step]) -> list[Step]:
    """Two causes of the same step (a backup paged by the protocol and by the response
    trigger) make one step, at the earlier time. (Steps that fell due before the severity
    was last lowered are dropped by `plan`: lowering cancels what was not yet due.)"""
    chosen: dict[str, Step] = {}
    for step in steps:
        if step.key not in chosen or step.due_at < chosen[step.key].due_at:
            chosen[step.key] = step
    return list(chosen.values())


class _Planner:
    def __init__(self, state: EscalationState, playbook: Playbook, now: datetime) -> None:
        self.state = state
        self.now = now
        self.playbook = playbook
        self.severity: Severity = playbook.severities[state.severity]
        self.declared = self._clock_start()
        self.wait = playbook.contact_protocol.next_contact_after

    def steps(self) -> Iterator[Step]:
        yield from self._declaration()
        yield from self._fallbacks()
        yield from self._sla_breaches()
        yield from self._unacknowledged_backups()
        yield from self._levels()
        yield from self._update_reminder()

    def _clock_start(self) -> datetime:
        """Clocks run from declaration; for a business-hours-only severity, from the first
        business moment at or after it (a Sev4 declared on Saturday starts Monday 09:00)."""
        if self.severity.business_hours_only:
            return next_business_moment(self.state.declared_at, self.playbook.business_hours)
        return self.state.declared_at

    # -- messages -----------------------------------------------------------------------

    def _message(
        self,
        action: Action,
        kind: MessageKind,
        person: str,
        due: datetime,
        reason: str,
        *,
        role: str | None = None,
        level: str | None = None,
        index: int = 0,
        follows: str | None = None,
    ) -> Iterator[Step]:
        """One message to a person's `index`-th contact, held for business hours if need be."""
        contacts = self.playbook.people[person].contacts if person in self.playbook.people else []
        if index >= len(contacts):
            return
        if self.severity.business_hours_only:
            due = next_business_moment(due, self.playbook.business_hours)
        contact = contacts[index]
        yield Step(
            key=f"{kind}:{role or level}:{person}:{index}",
            due_at=due,
            action=action,
            reason=reason,
            level=level,
            person=person,
            role=role,
            method=contact.method,
            address=contact.address,
            contact_index=index,
            message_key=follows,
        )

    def _declaration(self) -> Iterator[Step]:
        for role in self.severity.page_on_declare:
            holder = self.state.roles.get(role) or self.playbook.roles[role].primary
            yield from self._message(
                "page",
                "page",
                holder,
                self.declared,
                f"declared Sev{self.state.severity}",
                role=role,
            )
        for level in self.severity.notify_on_declare:
            for person in self.playbook.levels[level]:
                yield from self._message(
                    "heads_up",
                    "heads_up",
                    person,
                    self.declared,
                    f"declared Sev{self.state.severity}: heads-up",
                    level=level,
                )

    def _fallbacks(self) -> Iterator[Step]:
        """The contact protocol: next contact after the wait, then the backup or next level."""
        for last in self._chain_ends():
            if self._answered(last):
                continue
            unanswered_at = self._unanswered_at(last)
            reason = f"no answer from {last.person} within {_short(self.wait)}"
            kind: MessageKind = last.kind  # type: ignore[assignment]
            retry = list(
                self._message(
                    "retry",
                    kind,
                    last.person,
                    unanswered_at,
                    reason,
                    role=last.role,
                    level=last.level,
                    index=last.contact_index + 1,
                    follows=last.key,
                )
            )
            if retry:
                yield from retry
            elif kind == "page" and last.role:
                yield from self._backup_page(
                    last.role, unanswered_at, f"{last.person}'s contacts used up"
                )

    def _chain_ends(self) -> Iterator[SentMessage]:
        """The latest message to each person for each page, heads-up or notification."""
        chained = [m for m in self.state.messages if m.kind in CHAINED_KINDS]

        def chain(m: SentMessage) -> tuple[str, str, str]:
            return (m.kind, m.role or m.level or "", m.person)

        for _, messages in groupby(sorted(chained, key=chain), key=chain):
            yield max(messages, key=lambda m: m.contact_index)

    def _answered(self, last: SentMessage) -> bool:
        chain = [
            m
            for m in self.state.messages
            if (m.kind, m.role, m.level, m.person)
            == (last.kind, last.role, last.level, last.person)
        ]
        if any(m.acknowledged_at is not None for m in chain):
            return True
        return last.kind == "page" and self.state.acknowledged_at is not None

    def _unanswered_at(self, message: SentMessage) -> datetime:
        waited = message.sent_at + self.wait
        return min(waited, message.failed_at) if message.failed_at else waited

    def _backup_page(self, role: str, due: datetime, reason: str) -> Iterator[Step]:
        backup = self.playbook.roles[role].backup if role in self.playbook.roles else None
        if backup is None or backup == self.state.roles.get(role):
            return
        yield from self._message(
            "page", "page", backup, due, f"{reason}: paging the backup", role=role
        )

    # -- SLAs and triggers ----------------------------------------------------------------

    def _response_deadline(self) -> datetime:
        return self.declared + self.severity.response_time

    def _missed_response(self) -> bool:
        acked = self.state.acknowledged_at
        return acked is None or acked > self._response_deadline()

    def _sla_breaches(self) -> Iterator[Step]:
        if self._missed_response():
            yield Step(
                key="sla:response",
                due_at=self._response_deadline(),
                action="sla_breached",
                sla="response",
                reason=f"no acknowledgement within {_short(self.severity.response_time)}",
            )
        yield Step(
            key="sla:resolution",
            due_at=self.declared + self.severity.resolution_target,
            action="sla_breached",
            sla="resolution",
            reason=f"unresolved at {_short(self.severity.resolution_target)}",
        )

    def _unacknowledged_backups(self) -> Iterator[Step]:
        if not (self.playbook.triggers.unacknowledged and self._missed_response()):
            return
        reason = f"no acknowledgement within {_short(self.severity.response_time)}"
        for role in self.playbook.triggers.unacknowledged_pages_backup_of:
            yield from self._backup_page(role, self._response_deadline(), reason)

    def _causes(self) -> list[_Cause]:
        triggers = self.playbook.triggers
        causes = [
            _Cause(self.declared + step.after, f"matrix {_short(step.after)}", step.level)
            for step in self.severity.escalation
        ]
        if triggers.unacknowledged and self._missed_response():
            causes.append(
                _Cause(
                    self._response_deadline(),
                    f"no acknowledgement within {_short(self.severity.response_time)}",
                )
            )
        if triggers.unresolved:
            target = self.severity.resolution_target
            causes.append(_Cause(self.declared + target, f"unresolved at {_short(target)}"))
        failed = self.state.failed_attempt_times
        if len(failed) >= triggers.failed_attempts:
            causes.append(
                _Cause(
                    failed[triggers.failed_attempts - 1],
                    f"{triggers.failed_attempts} failed resolution attempts",
                )
            )
        if triggers.severity_raised:
            causes += [_Cause(at, "severity raised") for at in self.state.severity_raised_at]
        causes += self._exhausted_levels()
        return sorted(causes, key=lambda c: c.at)

    def _exhausted_levels(self) -> Iterator[_Cause]:
        """A notification whose contacts ran out unanswered reaches the level above it."""
        row = [step.level for step in self.severity.escalation]
        for last in self._chain_ends():
            if last.kind != "notify" or last.level not in row or self._answered(last):
                continue
            person = self.playbook.people.get(last.person)
            if person is None or last.contact_index + 1 < len(person.contacts):
                continue
            above = row.index(last.level) + 1
            if above < len(row):
                yield _Cause(self._unanswered_at(last), f"{last.level} did not answer", row[above])

    def _levels(self) -> Iterator[Step]:
        """Walk the causes in time order; those at one moment reach one level between them."""
        row = [step.level for step in self.severity.escalation]
        reached: set[str] = set()
        for at, group in groupby(self._causes(), key=lambda c: c.at):
            causes = list(group)
            candidates = [
                row.index(c.level) for c in causes if c.level is not None and c.level not in reached
            ]
            unreached = [i for i, level in enumerate(row) if level not in reached]
            if unreached and any(c.level is None for c in causes):
                candidates.append(unreached[0])
            if not candidates:
                continue
            level = row[min(candidates)]
            reached.add(level)
            reason = "; ".join(dict.fromkeys(c.reason for c in causes))
            for person in self.playbook.levels[level]:
                yield from self._message("notify", "notify", person, at, reason, level=level)

    # -- update cadence ------------------------------------------------------------------

    def _update_reminder(self) -> Iterator[Step]:
        role = self.playbook.communication.update_reminder_role
        holder = self.state.roles.get(role) if role else None
        if role is None or holder is None:
            return
        anchor = self.state.last_update_at or self.declared
        every = self.severity.update_every
        elapsed = max(0, int((self.now - anchor) / every))
        for count in sorted({max(elapsed, 1), elapsed + 1}):
            due = anchor + every * count
            reason = f"no update for {_short(every * count)}"
            for step in self._message("reminder", "page", holder, due, reason, role=role):
                yield replace(step, key=f"reminder:{anchor.isoformat()}:{count}")


def _short(delta: timedelta) -> str:
    return format_duration(delta)
