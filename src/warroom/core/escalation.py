"""The escalation planner: what the playbook says must happen for an incident, and when.

A pure function of the incident's state, the playbook and `now`. It derives every step the
policy calls for (declaration pages and heads-ups, the contact protocol's next contacts and
backups, the matrix levels and the automatic triggers, SLA breaches, update reminders),
leaves out the steps already performed (`state.done`), and returns those due now, the known
future ones and the next wake-up. The live engine performs the due steps and asks again;
`warroom drill` does the same on a virtual clock; the API shows `upcoming` as countdowns.

Step keys are functions of the incident's history only, so a step has the same key however
often it is planned: `page:<role>:<person>:<contact>`, `heads_up:<level>:<person>:<contact>`,
`notify:<level>:<person>:<contact>`, `sla:response`, `sla:resolution`,
`reminder:<anchor>:<n>`. A retry is the next contact's key of the message it follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from warroom.core.durations import format_duration as _short
from warroom.core.escalation_levels import Cause, levels_reached
from warroom.core.escalation_messages import MessagePlanner
from warroom.core.escalation_state import (
    SME_ROLE,
    EscalationState,
    Plan,
    SentMessage,
    Step,
    chain,
    first_notified,
    first_of_each_key,
)
from warroom.core.playbook import Playbook


def plan(state: EscalationState, playbook: Playbook, now: datetime) -> Plan:
    if state.resolved_at is not None:
        return Plan(due=(), upcoming=(), next_wake=None)
    planner = _Planner(state, playbook, now)
    pending: list[Step] = []
    for step in first_of_each_key(planner.steps()):
        if step.key in state.done:
            continue
        in_force = planner.in_force(step)
        if in_force is not None:
            pending.append(in_force)
    pending.sort(key=lambda s: s.due_at)
    due = tuple(s for s in pending if s.due_at <= now)
    upcoming = tuple(s for s in pending if s.due_at > now)
    return Plan(due=due, upcoming=upcoming, next_wake=upcoming[0].due_at if upcoming else None)


class _Planner(MessagePlanner):
    """Every step the policy calls for: declaration, the contact protocol, the SLAs and
    triggers, the matrix, and (from MessagePlanner) the recurring messages."""

    def steps(self) -> Iterator[Step]:
        yield from self._declaration()
        yield from self._role_changes()
        yield from self._engagements()
        yield from self._fallbacks()
        yield from self._sla_breaches()
        yield from self._unacknowledged_backups()
        yield from self._levels()
        yield from self._update_reminder()
        yield from self._briefings()

    def in_force(self, step: Step) -> Step | None:
        """A raised severity applies as if declared so: what its clock has passed is due
        now. A lowered one cancels what was not yet due: its past is not planned; nor is
        the past of a reopened incident."""
        if self.raised_at is not None and step.due_at < self.raised_at:
            return replace(step, due_at=self.raised_at)
        if self.dropped_before is not None and step.due_at < self.dropped_before:
            return None
        return step

    def _effective(self, moment: datetime) -> datetime:
        """When something of the severity in force could first happen."""
        return max(moment, self.raised_at) if self.raised_at is not None else moment

    def _declaration(self) -> Iterator[Step]:
        """Page each role of `page_on_declare` not paged yet; heads-up `notify_on_declare`."""
        paged = {m.role for m in self.state.messages if m.kind == "page"}
        reason = f"declared Sev{self.state.severity}"
        for role in self.severity.page_on_declare:
            if role in paged:
                continue
            holder = self._holder(role)
            if self._on_call(holder, self.declared) is None:
                yield from self._backup_page(role, self.declared, f"nobody on call: {holder}")
            else:
                yield from self._message("page", "page", holder, self.declared, reason, role=role)
        for level in self.severity.notify_on_declare:
            for person in self.playbook.levels[level]:
                yield from self._message(
                    "heads_up",
                    "heads_up",
                    person,
                    self.declared,
                    f"{reason}: heads-up",
                    level=level,
                )

    def _role_changes(self) -> Iterator[Step]:
        """A role given to someone new pages them, and tells the one released."""
        for change in self.state.role_changes:
            if change.person == change.previous:
                continue
            reason = f"assigned {change.role}"
            yield from self._message(
                "page", "page", change.person, change.at, reason, role=change.role
            )
            if change.previous is not None:
                told = f"released from {change.role}: {change.person} holds it now"
                for step in self._message(
                    "released", "released", change.previous, change.at, told, role=change.role
                ):
                    yield replace(step, key=f"{step.key}:{change.at.isoformat()}")

    def _engagements(self) -> Iterator[Step]:
        """An engaged SME is paged under the contact protocol, as a role holder is."""
        for engagement in self.state.engagements:
            sme = self.playbook.smes.get(engagement.sme)
            if sme is not None:
                reason = f"{engagement.sme} SME engaged"
                role = f"{SME_ROLE}{engagement.sme}"
                yield from self._message(
                    "page", "page", sme.primary, engagement.at, reason, role=role
                )

    def _fallbacks(self) -> Iterator[Step]:
        """The contact protocol: next contact after the wait, then the role's backup."""
        for last in self.chains.values():
            if self._answered(last):
                continue
            unanswered_at = self._unanswered_at(last)
            retry = list(
                self._message(
                    "retry",
                    last.kind,
                    last.person,
                    unanswered_at,
                    f"no answer from {last.person} within {_short(self.wait)}",
                    role=last.role,
                    level=last.level,
                    index=last.contact_index + 1,
                    follows=last.key,
                )
            )
            if retry:
                yield from retry
            elif last.kind == "page" and last.role:
                reason = f"{last.person}'s contacts used up"
                yield from self._backup_page(last.role, unanswered_at, reason)

    def _answered(self, last: SentMessage) -> bool:
        """A message's chain stops when any of its messages is acknowledged; every page's
        chain stops when the incident is."""
        messages = chain(self.state.messages, last)
        if any(m.acknowledged_at is not None for m in messages):
            return True
        if last.kind == "page" and self._released(last.role, last.person, messages[0].sent_at):
            return True  # the role went to someone else: they are paged instead
        if last.kind == "notify" and last.person in self.engaged_people:
            return True  # reached without a message: already on the incident
        if last.person in self.playbook.vendors:
            return True  # told, not asked: a vendor's message has no acknowledgement
        acknowledged = self.state.acknowledged_at
        # a page sent after the incident was acknowledged (a new role holder, an SME) is
        # answered by its own acknowledgement only
        started = messages[0].sent_at
        return last.kind == "page" and acknowledged is not None and started <= acknowledged

    def _released(self, role: str | None, person: str, since: datetime) -> bool:
        return any(
            c.role == role and c.person != person and c.at >= since for c in self.state.role_changes
        )

    def _used_up(self, last: SentMessage) -> bool:
        person = self.playbook.people.get(last.person)
        return person is None or last.contact_index + 1 >= len(person.contacts)

    def _unanswered_at(self, message: SentMessage) -> datetime:
        waited = self.clock.after(message.sent_at, self.wait)
        return min(waited, message.failed_at) if message.failed_at else waited

    def _backup_page(self, role: str, due: datetime, reason: str) -> Iterator[Step]:
        """A role's backup, paged once per incident (one key, whichever cause is first)."""
        backup = self._backup_of(role)
        if backup is None or self._on_call(backup, due) == self.state.roles.get(role):
            return
        yield from self._message(
            "page", "page", backup, due, f"{reason}: paging the backup", role=role
        )

    def _backup_of(self, role: str) -> str | None:
        if role in self.playbook.roles:
            return self.playbook.roles[role].backup
        sme = self.playbook.smes.get(role.removeprefix(SME_ROLE))
        return sme.backup if role.startswith(SME_ROLE) and sme is not None else None

    # -- SLAs and triggers ----------------------------------------------------------------

    def _response_deadline(self) -> datetime:
        return self.clock.after(self.declared, self.severity.response_time)

    def _resolution_deadline(self) -> datetime:
        return self.clock.after(self.declared, self.severity.resolution_target)

    def _unacknowledged_at(self, moment: datetime) -> bool:
        acked = self.state.acknowledged_at
        return acked is None or acked > moment

    def _sla_breaches(self) -> Iterator[Step]:
        if self._unacknowledged_at(self._response_deadline()):
            yield Step(
                key="sla:response",
                due_at=self._response_deadline(),
                action="sla_breached",
                sla="response",
                reason=f"no acknowledgement within {_short(self.severity.response_time)}",
            )
        yield Step(
            key="sla:resolution",
            due_at=self._resolution_deadline(),
            action="sla_breached",
            sla="resolution",
            reason=f"unresolved at {_short(self.severity.resolution_target)}",
        )

    def _response_trigger_due(self) -> datetime | None:
        """When the response trigger fires: if enabled and nobody acknowledged by then."""
        due = self._effective(self._response_deadline())
        if self.playbook.triggers.unacknowledged and self._unacknowledged_at(due):
            return due
        return None

    def _unacknowledged_backups(self) -> Iterator[Step]:
        due = self._response_trigger_due()
        if due is None:
            return
        reason = f"no acknowledgement within {_short(self.severity.response_time)}"
        engaged = {m.role for m in self.state.messages if m.kind == "page"}
        engaged |= set(self.severity.page_on_declare)
        for role in self.playbook.triggers.unacknowledged_pages_backup_of:
            if role in engaged:  # a Sev4 pages no commander, so none's backup either
                yield from self._backup_page(role, due, reason)

    def _causes(self) -> list[Cause]:
        """Everything that reaches a level, at the time it can first act."""
        triggers = self.playbook.triggers
        causes = [
            Cause(
                self.clock.after(self.declared, step.after),
                f"matrix {_short(step.after)}",
                step.level,
                True,
            )
            for step in self.severity.escalation
        ]
        if self._response_trigger_due() is not None:
            reason = f"no acknowledgement within {_short(self.severity.response_time)}"
            causes.append(Cause(self._response_deadline(), reason))
        if triggers.unresolved:
            target = self.severity.resolution_target
            causes.append(Cause(self._resolution_deadline(), f"unresolved at {_short(target)}"))
        failed = self.state.failed_attempt_times
        if len(failed) >= triggers.failed_attempts:
            reason = f"{triggers.failed_attempts} failed resolution attempts"
            causes.append(Cause(failed[triggers.failed_attempts - 1], reason))
        if triggers.severity_raised:
            causes += [Cause(at, "severity raised") for at in self.state.severity_raised_at]
        causes += self._exhausted_levels()
        if self.raised_at is not None:
            causes = [c.caught_up(self.raised_at) for c in causes]
        return sorted(causes, key=lambda c: c.at)

    def _exhausted_levels(self) -> Iterator[Cause]:
        """A level whose people all ran out of contacts unanswered reaches the one above."""
        notified = first_notified(self.state.messages)
        for index, level in enumerate(self.row[:-1]):
            if level not in self.playbook.levels or level not in notified:
                continue
            people = self._people(self._members(level), notified[level])
            ends = [self.chains.get(("notify", level, person)) for person in people]
            chains = [end for end in ends if end is not None]
            if not people or len(chains) < len(people):
                continue
            if any(self._answered(end) or not self._used_up(end) for end in chains):
                continue
            at = max(self._unanswered_at(end) for end in chains)
            yield Cause(at, f"{level} did not answer", self.row[index + 1])

    def _levels(self) -> Iterator[Step]:
        """Walk the causes in time order; those at one moment reach one level between them
        (or, when a raised severity catches up, every level whose time has passed)."""
        notified = first_notified(self.state.messages)
        reached: set[str] = set()
        causes = self._causes()
        for at in sorted({c.at for c in causes}):
            group = [c for c in causes if c.at == at]
            reached |= {level for level, sent in notified.items() if sent < at}
            for level, reason in levels_reached(group, reached, self.row):
                reached.add(level)
                for person in self._members(level):
                    for step in self._message("notify", "notify", person, at, reason, level=level):
                        yield self._unless_engaged(step)

    def _members(self, level: str) -> Iterator[str]:
        """A level's people, less the vendors who serve none of the incident's services."""
        for person in self.playbook.levels[level]:
            vendor = self.playbook.vendors.get(person)
            if vendor is None or vendor.serves(self.state.services):
                yield person

    def _people(self, holders: Iterator[str], at: datetime) -> list[str]:
        """The people these holders name at `at` (a schedule's on-call person), each once."""
        people = (self._on_call(holder, at) for holder in holders)
        return list(dict.fromkeys(p for p in people if p is not None))

    def _unless_engaged(self, step: Step) -> Step:
        """A level member who holds a role and has acknowledged is reached with no message."""
        if step.person not in self.engaged_people:
            return step
        reason = f"{step.reason}: already engaged on the incident, no message"
        return replace(step, method=None, address=None, reason=reason)
