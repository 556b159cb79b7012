"""The `/incident` slash command's grammar (SPEC §9), with no I/O: the text after the
command, read into a subcommand and its arguments, or the reason it cannot be; and the
ephemeral replies, as built-in templates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from warroom.core.templates import builtin

USAGE = {
    "declare": "declare SEV TITLE",
    "ack": "ack",
    "update": "update TEXT",
    "public": "public TEXT",
    "status": "status investigating|mitigating|monitoring",
    "severity": "severity N REASON",
    "role": "role ROLE @user",
    "engage": "engage SME",
    "resolve": "resolve TEXT",
}
NEEDS_INCIDENT = frozenset(USAGE) - {"declare"}
MENTION = re.compile(r"^<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$")

REPLIES = {
    name: builtin(f"chat.reply.{name}", source)
    for name, source in {
        "help": (
            "{% if word %}Unknown command “{{ word }}”. {% endif %}"
            "Commands: {% for usage in usages %}`/incident {{ usage }}`"
            "{{ ', ' if not loop.last else '' }}{% endfor %}"
        ),
        "usage": "Usage: `/incident {{ usage }}`",
        "no_incident": (
            "`/incident {{ name }}` needs an incident: type it in the incident's channel"
        ),
        "unknown_user": (
            "I don't know {{ who }}: add their Slack contact (a user id or @handle) to the"
            " playbook's people"
        ),
        "refused": "Not done: {{ reason }}",
        "declared": "Declared {{ reference }} (Sev{{ severity }}): {{ title }}",
        "done": "Done: {{ name }} on {{ reference }}",
        "chat_off": "Chat is off: no Slack token is configured",
    }.items()
}


class CommandProblem(Exception):
    """What to answer instead of running the command."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]  # the words the subcommand takes, the last one holding the rest


SHAPES = {  # how many arguments, the last one the rest of the line
    "declare": 2, "ack": 0, "update": 1, "public": 1, "status": 1,
    "severity": 2, "role": 2, "engage": 1, "resolve": 1,
}  # fmt: skip


def parse(text: str) -> Command:
    """`severity 2 customers see errors` -> Command("severity", ("2", "customers ...))."""
    word, _, rest = text.strip().partition(" ")
    name = word.lower()
    if name not in SHAPES:
        raise CommandProblem(REPLIES["help"](word=word, usages=list(USAGE.values())))
    count = SHAPES[name]
    args = tuple(rest.split(maxsplit=count - 1)) if count else ()
    if len(args) != count or any(not a.strip() for a in args):
        raise CommandProblem(REPLIES["usage"](usage=USAGE[name]))
    return Command(name, args)


def severity_number(value: str) -> int:
    """`1`, `sev1` or `SEV1` -> 1."""
    digits = value.lower().removeprefix("sev")
    if not digits.isdigit():
        raise CommandProblem(REPLIES["refused"](reason=f"{value!r} is not a severity number"))
    return int(digits)


def mention(value: str) -> tuple[str, str | None]:
    """A user as Slack writes them: `<@U123|name>` -> (U123, name); `@name` -> ("", name)."""
    found = MENTION.match(value.strip())
    if found:
        return found["id"], found["name"]
    return "", value.strip().lstrip("@")
