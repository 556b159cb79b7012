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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from warroom.core.business_hours import clock_for, next_business_moment
from warroom.core.durations import format_duration
from warroom.core.escalation_levels import Cause, levels_reached
from warroom.core.playbook import Playbook, Severity

Action = Literal[
    "page", "heads_up", "notify", "retry", "sla_breached", "reminder", "briefing", "released"
]
MessageKind = Literal["page", "heads_up", "notify"]
CHAINED_KINDS = ("page", "heads_up", "notify")
MESSAGE_ACTIONS: frozenset[Action] = frozenset(
    {"page", "heads_up", "notify", "retry", "reminder", "briefing", "released"}
)  # the steps that send someone a message
SME_ROLE = "sme:"  # an engaged SME's page carries the role `sme:<id>`


@dataclass(frozen=True)
class SentMessage:
    """A message the engine has sent (or queued) for this incident.

    `kind` is page, heads_up or notify (a retry carries the kind of the message it follows;
    other kinds, such as reminders, are ignored by the contact protocol)."""

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
class RoleChange:
    """A response role given to `person` at `at` (`previous` released), after declaration."""

    role: str
    person: str
    previous: str | None
    at: datetime


@dataclass(frozen=True)
class Engagement:
    """A subject matter expert called in at `at`."""

    sme: str
    at: datetime


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
    reopened_at: tuple[datetime, ...] = ()  # a reopened incident does not replay its past
    acknowledged_by: str | None = None
    services: tuple[str, ...] = ()
    role_changes: tuple[RoleChange, ...] = ()
    engagements: tuple[Engagement, ...] = ()


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


def plan(state: EscalationState, playbook: Playbook, now: datetime) -> Plan:
    if state.resolved_at is not None:
        return Plan(due=(), upcoming=(), next_wake=None)
    planner = _Planner(state, playbook, now)
    pending: list[Step] = []
    for step in _first_of_each_key(planner.steps()):
        if step.key in state.done:
            continue
        in_force = planner.in_force(step)
        if in_force is not None:
            pending.append(in_force)
    pending.sort(key=lambda s: s.due_at)
    due = tuple(s for s in pending if s.due_at <= now)
    upcoming = tuple(s for s in pending if s.due_at > now)
    return Plan(due=due, upcoming=upcoming, next_wake=upcoming[0].due_at if upcoming else None)


def one_message_each(steps: Sequence[Step]) -> list[tuple[Step, ...]]:
    """Steps performed at one moment, grouped so that nobody gets two messages at once: the
    message steps to one person form one group (its first step carries the message and the
    others' reasons); every other step stands alone. Groups keep the steps' order."""
    groups: list[list[Step]] = []
    by_person: dict[str, list[Step]] = {}
    for step in steps:
        if step.person is None or not (step.method and step.address):
            groups.append([step])
        elif step.person in by_person:
            by_person[step.person].append(step)
        else:
            by_person[step.person] = [step]
            groups.append(by_person[step.person])
    return [tuple(group) for group in groups]


def message_kind(state: EscalationState, step: Step) -> str | None:
    """The kind of message a step sends (None: it sends none). A retry continues the kind of
    the message it follows; reminders, briefings and releases stand outside every chain."""
    if step.action not in MESSAGE_ACTIONS:
        return None
    if step.action != "retry":
        return step.action
    followed = next((m.kind for m in state.messages if m.key == step.message_key), None)
    return followed or ("page" if step.role else "notify")


def performed(state: EscalationState, step: Step, now: datetime) -> EscalationState:
    """The state once `step` is done at `now`: its key done and, for a message, the message
    sent (unanswered so far). The engine, the drill and the tests all go through here."""
    done = state.done | {step.key}
    kind = message_kind(state, step)
    if kind is None:
        return replace(state, done=done)
    sent = SentMessage(
        key=step.key,
        kind=kind,
        person=step.person or "",
        role=step.role,
        level=step.level,
        contact_index=step.contact_index or 0,
        sent_at=now,
    )
    return replace(state, done=done, messages=(*state.messages, sent))


def combined_reason(group: Sequence[Step]) -> str:
    """The reasons of one message that speaks for several steps, each once, in order."""
    return "; ".join(dict.fromkeys(step.reason for step in group))


def _first_of_each_key(steps: Iterator[Step]) -> list[Step]:
    """Two causes of the same step (a backup paged by the protocol and by the response
    trigger) make one step, at the earlier time."""
    chosen: dict[str, Step] = {}
    for step in steps:
        if step.key not in chosen or step.due_at < chosen[step.key].due_at:
            chosen[step.key] = step
    return list(chosen.values())


def _last_change(state: EscalationState) -> tuple[datetime, bool] | None:
    """The latest change of plan: its time and whether it was a raise (True: the past of
    the new severity catches up) or a lowering or reopening (False: the past is dropped)."""
    changes = [(at, True) for at in state.severity_raised_at]
    changes += [(at, False) for at in (*state.severity_lowered_at, *state.reopened_at)]
    return max(changes, key=lambda c: (c[0], not c[1]), default=None)


class _Planner:
    def __init__(self, state: EscalationState, playbook: Playbook, now: datetime) -> None:
        self.state = state
        self.now = now
        self.playbook = playbook
        self.severity: Severity = playbook.severities[state.severity]
        self.row = [step.level for step in self.severity.escalation]
        self.declared = state.declared_at
        self.wait = playbook.contact_protocol.next_contact_after
        self.clock = clock_for(playbook, state.severity)
        change = _last_change(state)
        self.raised_at = change[0] if change and change[1] else None
        self.dropped_before = change[0] if change and not change[1] else None
        self.chains = _chain_ends(state.messages)
        self.engaged_people = _acknowledged_role_holders(state)

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

    def _holder(self, role: str) -> str:
        return self.state.roles.get(role) or self.playbook.roles[role].primary

    def _declaration(self) -> Iterator[Step]:
        """Page each role of `page_on_declare` not paged yet; heads-up `notify_on_declare`."""
        paged = {m.role for m in self.state.messages if m.kind == "page"}
        reason = f"declared Sev{self.state.severity}"
        for role in self.severity.page_on_declare:
            if role not in paged:
                yield from self._message(
                    "page", "page", self._holder(role), self.declared, reason, role=role
                )
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
        chain = _chain(self.state.messages, last)
        if any(m.acknowledged_at is not None for m in chain):
            return True
        if last.kind == "page" and self._released(last.role, last.person, chain[0].sent_at):
            return True  # the role went to someone else: they are paged instead
        if last.kind == "notify" and last.person in self.engaged_people:
            return True  # reached without a message: already on the incident
        if last.person in self.playbook.vendors:
            return True  # told, not asked: a vendor's message has no acknowledgement
        acknowledged = self.state.acknowledged_at
        # a page sent after the incident was acknowledged (a new role holder, an SME) is
        # answered by its own acknowledgement only
        return last.kind == "page" and acknowledged is not None and chain[0].sent_at <= acknowledged

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
        if backup is None or backup == self.state.roles.get(role):
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
        for index, level in enumerate(self.row[:-1]):
            people = list(self._members(level)) if level in self.playbook.levels else []
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
        notified = _first_notified(self.state.messages)
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

    def _unless_engaged(self, step: Step) -> Step:
        """A level member who holds a role and has acknowledged is reached with no message."""
        if step.person not in self.engaged_people:
            return step
        reason = f"{step.reason}: already engaged on the incident, no message"
        return replace(step, method=None, address=None, reason=reason)

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
                        key = f"briefing:{anchor.isoformat()}:{count}:{person}"
                        yield replace(step, level=level, key=key)


ChainKey = tuple[str, str, str]


def _chain_key(message: SentMessage) -> ChainKey:
    return (message.kind, message.role or message.level or "", message.person)


def _chain_ends(messages: tuple[SentMessage, ...]) -> dict[ChainKey, SentMessage]:
    """The latest message of each chain (a page, heads-up or notification to one person)."""
    ends: dict[ChainKey, SentMessage] = {}
    for message in messages:
        if message.kind not in CHAINED_KINDS:
            continue
        key = _chain_key(message)
        if key not in ends or message.contact_index > ends[key].contact_index:
            ends[key] = message
    return ends


def _acknowledged_role_holders(state: EscalationState) -> frozenset[str]:
    """People who hold a role on the incident (assigned or paged for it) and acknowledged
    it or one of their pages."""
    holders = set(state.roles.values())
    holders |= {m.person for m in state.messages if m.kind == "page" and m.role}
    answered = {m.person for m in state.messages if m.kind == "page" and m.acknowledged_at}
    if state.acknowledged_by is not None and state.acknowledged_at is not None:
        answered.add(state.acknowledged_by)
    return frozenset(holders & answered)


def _chain(messages: tuple[SentMessage, ...], last: SentMessage) -> list[SentMessage]:
    return [m for m in messages if _chain_key(m) == _chain_key(last)]


def _first_notified(messages: tuple[SentMessage, ...]) -> dict[str, datetime]:
    """Each level already notified (under any severity) and when it first was."""
    first: dict[str, datetime] = {}
    for message in messages:
        level = message.level if message.kind == "notify" else None
        if level is not None and (level not in first or message.sent_at < first[level]):
            first[level] = message.sent_at
    return first


def _short(delta: timedelta) -> str:
    return format_duration(delta)
