"""The `/incident` subcommands, each calling the same use case as its HTTP route and CLI
command; what it answers is an ephemeral reply, never an error page."""

from __future__ import annotations

from collections.abc import Callable

from warroom.core.chat import person_for_slack_user
from warroom.core.chat_commands import (
    NEEDS_INCIDENT,
    REPLIES,
    Command,
    CommandProblem,
    mention,
    parse,
    severity_number,
)
from warroom.errors import WarroomError
from warroom.service.chat.callers import ChatCaller
from warroom.service.context import Context
from warroom.service.incidents import lifecycle, publishing
from warroom.service.incidents.lifecycle import Declaration

Run = Callable[[Context, Command, str, str], str]


def answer(ctx: Context, caller: ChatCaller, text: str, who: str) -> str:
    """The reply to `/incident TEXT` typed by `caller`."""
    try:
        command = parse(text)
        if caller.person is None:
            raise CommandProblem(REPLIES["unknown_user"](who=who))
        if command.name in NEEDS_INCIDENT and caller.reference is None:
            raise CommandProblem(REPLIES["no_incident"](name=command.name))
        return RUNS[command.name](ctx, command, caller.person, caller.reference or "")
    except CommandProblem as problem:
        return problem.reply
    except WarroomError as refused:
        return REPLIES["refused"](reason=refused.message)


def _declare(ctx: Context, command: Command, person: str, reference: str) -> str:
    severity, title = command.args
    declaration = Declaration(title=title, severity=severity_number(severity), source="slack")
    made = ctx.transact(lifecycle.declare, declaration, actor=person)
    return REPLIES["declared"](reference=made.reference, severity=made.severity, title=made.title)


def _ack(ctx: Context, command: Command, person: str, reference: str) -> str:
    ctx.transact(lifecycle.acknowledge, reference, actor=person, person=person)
    return _done(command, reference)


def _update(ctx: Context, command: Command, person: str, reference: str) -> str:
    ctx.transact(
        publishing.post_update,
        reference,
        message=command.args[0],
        audience="internal",
        actor=person,
    )
    return _done(command, reference)


def _public(ctx: Context, command: Command, person: str, reference: str) -> str:
    ctx.transact(publishing.post_public_update, reference, message=command.args[0], actor=person)
    return _done(command, reference)


def _status(ctx: Context, command: Command, person: str, reference: str) -> str:
    ctx.transact(lifecycle.change_status, reference, status=command.args[0].lower(), actor=person)
    return _done(command, reference)


def _severity(ctx: Context, command: Command, person: str, reference: str) -> str:
    number, reason = command.args
    ctx.transact(
        lifecycle.change_severity,
        reference,
        severity=severity_number(number),
        reason=reason,
        actor=person,
    )
    return _done(command, reference)


def _role(ctx: Context, command: Command, person: str, reference: str) -> str:
    role, user = command.args
    user_id, name = mention(user)
    holder = person_for_slack_user(ctx.playbook, user_id, name)
    if holder is None and name in ctx.playbook.people:
        holder = name
    if holder is None:
        raise CommandProblem(REPLIES["unknown_user"](who=user))
    ctx.transact(lifecycle.assign_role, reference, role=role, person=holder, actor=person)
    return _done(command, reference)


def _engage(ctx: Context, command: Command, person: str, reference: str) -> str:
    ctx.transact(lifecycle.engage, reference, sme=command.args[0], actor=person)
    return _done(command, reference)


def _resolve(ctx: Context, command: Command, person: str, reference: str) -> str:
    ctx.transact(lifecycle.resolve, reference, resolution=command.args[0], actor=person)
    return _done(command, reference)


def _done(command: Command, reference: str) -> str:
    return REPLIES["done"](name=command.name, reference=reference)


RUNS: dict[str, Run] = {
    "declare": _declare,
    "ack": _ack,
    "update": _update,
    "public": _public,
    "status": _status,
    "severity": _severity,
    "role": _role,
    "engage": _engage,
    "resolve": _resolve,
}
