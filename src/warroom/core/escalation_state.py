"""The escalation planner's state: what has happened to an incident that the planner needs
(its times, roles, the messages sent and answered), the steps it plans, and what a
performed step adds to the state. The engine, the drill and the tests all build and
advance state through here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from warroom.core.schedules import Override

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
    # each schedule's overrides, for the holders that name `schedule:<id>`
    overrides: Mapping[str, tuple[Override, ...]] = field(default_factory=dict)


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


ChainKey = tuple[str, str, str]


def chain_key(message: SentMessage) -> ChainKey:
    return (message.kind, message.role or message.level or "", message.person)


def chain_ends(messages: tuple[SentMessage, ...]) -> dict[ChainKey, SentMessage]:
    """The latest message of each chain (a page, heads-up or notification to one person)."""
    ends: dict[ChainKey, SentMessage] = {}
    for message in messages:
        if message.kind not in CHAINED_KINDS:
            continue
        key = chain_key(message)
        if key not in ends or message.contact_index > ends[key].contact_index:
            ends[key] = message
    return ends


def acknowledged_role_holders(state: EscalationState) -> frozenset[str]:
    """People who hold a role on the incident (assigned or paged for it) and acknowledged
    it or one of their pages."""
    holders = set(state.roles.values())
    holders |= {m.person for m in state.messages if m.kind == "page" and m.role}
    answered = {m.person for m in state.messages if m.kind == "page" and m.acknowledged_at}
    if state.acknowledged_by is not None and state.acknowledged_at is not None:
        answered.add(state.acknowledged_by)
    return frozenset(holders & answered)


def chain(messages: tuple[SentMessage, ...], last: SentMessage) -> list[SentMessage]:
    return [m for m in messages if chain_key(m) == chain_key(last)]


def first_notified(messages: tuple[SentMessage, ...]) -> dict[str, datetime]:
    """Each level already notified (under any severity) and when it first was."""
    first: dict[str, datetime] = {}
    for message in messages:
        level = message.level if message.kind == "notify" else None
        if level is not None and (level not in first or message.sent_at < first[level]):
            first[level] = message.sent_at
    return first


def first_of_each_key(steps: Iterator[Step]) -> list[Step]:
    """Two causes of the same step (a backup paged by the protocol and by the response
    trigger) make one step, at the earlier time."""
    chosen: dict[str, Step] = {}
    for step in steps:
        if step.key not in chosen or step.due_at < chosen[step.key].due_at:
            chosen[step.key] = step
    return list(chosen.values())


def last_change(state: EscalationState) -> tuple[datetime, bool] | None:
    """The latest change of plan: its time and whether it was a raise (True: the past of
    the new severity catches up) or a lowering or reopening (False: the past is dropped)."""
    changes = [(at, True) for at in state.severity_raised_at]
    changes += [(at, False) for at in (*state.severity_lowered_at, *state.reopened_at)]
    return max(changes, key=lambda c: (c[0], not c[1]), default=None)
