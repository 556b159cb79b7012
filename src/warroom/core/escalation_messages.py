"""The planner's messages: the message step for a person's contact (held for business
hours), who holds a role, and the messages that recur while an incident is open (update
reminders, executive briefings). The base of the escalation planner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from warroom.core.business_hours import clock_for, next_business_moment
from warroom.core.durations import format_duration as _short
from warroom.core.escalation_state import (
    Action,
    EscalationState,
    Step,
    acknowledged_role_holders,
    chain_ends,
    last_change,
)
from warroom.core.playbook import Playbook, Severity
from warroom.core.schedules import who_holds


class MessagePlanner:
    def __init__(self, state: EscalationState, playbook: Playbook, now: datetime) -> None:
        self.state = state
        self.now = now
        self.playbook = playbook
        self.severity: Severity = playbook.severities[state.severity]
        self.row = [step.level for step in self.severity.escalation]
        self.declared = state.declared_at
        self.wait = playbook.contact_protocol.next_contact_after
        self.clock = clock_for(playbook, state.severity)
        change = last_change(state)
        self.raised_at = change[0] if change and change[1] else None
        self.dropped_before = change[0] if change and not change[1] else None
        self.chains = chain_ends(state.messages)
        self.engaged_people = acknowledged_role_holders(state)

    # -- messages -----------------------------------------------------------------------

    def _message(
        self,
        action: Action,
        kind: str,
        person: str,
        due: datetime,
        reason: str,
        *,
        role: str | None = None,
        level: str | None = None,
        index: int = 0,
        follows: str | None = None,
    ) -> Iterator[Step]:
        """One message to a person's `index`-th contact, held for business hours if need be;
        to a schedule's, whoever is on call when it is sent."""
        if self.severity.business_hours_only:
            due = next_business_moment(due, self.playbook.business_hours)
        holder = person
        person = self._on_call(holder, due) or ""
        if holder != person:
            reason = f"{reason} (on call: {holder})"
        contacts = self.playbook.people[person].contacts if person in self.playbook.people else []
        if index >= len(contacts):
            return
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

    def _on_call(self, holder: str, at: datetime) -> str | None:
        return who_holds(self.playbook.schedules, self.state.overrides, holder, at)

    def _holder(self, role: str) -> str:
        return self.state.roles.get(role) or self.playbook.roles[role].primary

    # -- update cadence ------------------------------------------------------------------

    def _update_reminder(self) -> Iterator[Step]:
        """No update within `update_every` of the last (or of declaration): remind the
        communications lead, again each `update_every`; after a long outage of the worker,
        one reminder, not a burst."""
        role = self.playbook.communication.update_reminder_role
        if role is None or role not in self.playbook.roles:
            return
        holder = self._holder(role)
        anchor = max((self.state.last_update_at or self.declared, *self.state.reopened_at))
        every = self.severity.update_every
        elapsed = max(0, int(self.clock.elapsed(anchor, self.now) / every))
        for count in sorted({max(elapsed, 1), elapsed + 1}):
            due = self.clock.after(anchor, every * count)
            reason = f"no update for {_short(every * count)}"
            for step in self._message("reminder", "page", holder, due, reason, role=role):
                yield replace(step, key=f"reminder:{anchor.isoformat()}:{count}")

    def _briefings(self) -> Iterator[Step]:
        """Executive briefings to their levels every `every` from declaration (or the latest
        reopening) while open; after a long outage of the worker, the latest one, not a burst."""
        briefing = self.playbook.communication.executive_briefing
        if briefing is None or self.state.severity not in briefing.severities:
            return
        anchor = max((self.declared, *self.state.reopened_at))
        elapsed = max(0, int(self.clock.elapsed(anchor, self.now) / briefing.every))
        reason = f"executive briefing every {_short(briefing.every)}"
        for count in sorted({max(elapsed, 1), elapsed + 1}):
            due = self.clock.after(anchor, briefing.every * count)
            for level in briefing.to:
                for person in self.playbook.levels.get(level, []):
                    for step in self._message("briefing", "briefing", person, due, reason):
                        key = f"briefing:{anchor.isoformat()}:{count}:{step.person}"
                        yield replace(step, level=level, key=key)
