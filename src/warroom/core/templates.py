"""Every text rendered from a template (the playbook's and the built-in page texts) goes
through the one sandbox here: a template may read the fields it is given and nothing of
the interpreter, and a name it was not given is an error rather than an empty string."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
import jinja2.runtime
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from warroom.core.incident import STATUSES

MAX_SIZE = 100_000  # the most items (characters) a template may build by `*`, or digits by `**`


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing `'a' * 10**9` and `10 ** 1000000`: one expression would
    otherwise hold a worker (and `playbook check`) for seconds and a gigabyte."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*" and _repeats_past_limit(left, right):
            raise SecurityError(f"the result of * would be longer than {MAX_SIZE}")
        if operator == "**" and _power_past_limit(left, right):
            raise SecurityError(f"the result of ** would have more than {MAX_SIZE} digits")
        return super().call_binop(context, operator, left, right)


def _repeats_past_limit(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            return len(sequence) * count > MAX_SIZE
    return False


def _power_past_limit(base: Any, exponent: Any) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)) or abs(base) < 2:
        return False
    return exponent * math.log10(abs(base)) > MAX_SIZE


SANDBOX = _Sandbox(autoescape=False, undefined=jinja2.StrictUndefined)

PLAYBOOK_TEMPLATES = ("initial", "update", "resolution", "briefing", "vendor")


class TemplateFailed(Exception):
    """A template that cannot render: its YAML path (or built-in name) and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def template_path(name: str) -> str:
    return f"communication.templates.{name}"


def render(path: str, source: str, fields: Mapping[str, object]) -> str:
    """Render `source` with `fields`; any failure, whatever the template raised, becomes
    TemplateFailed naming `path`."""
    return _run(path, _compile(path, source), fields)


@lru_cache(maxsize=256)  # a template compiles once, not at every page it renders
def _compile(path: str, source: str) -> jinja2.Template:
    try:
        return SANDBOX.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(path, f"template error line {exc.lineno}: {exc.message}") from exc


def _run(path: str, template: jinja2.Template, fields: Mapping[str, object]) -> str:
    try:
        return template.render(fields)
    except Exception as exc:  # an expression may raise anything: 1/0, a SecurityError...
        raise TemplateFailed(path, str(exc) or type(exc).__name__) from exc


@dataclass(frozen=True)
class BuiltIn:
    """A text of warroom's own (a page, a subject line), compiled once, rendered in the
    same sandbox as the playbook's."""

    name: str
    template: jinja2.Template

    def __call__(self, **fields: object) -> str:
        return _run(self.name, self.template, fields)


def builtin(name: str, source: str) -> BuiltIn:
    return BuiltIn(name, SANDBOX.from_string(source))


# What the real renders pass (service/messages.py, service/paging/texts.py), with sample
# values, so `playbook check` renders each template the way production will.
MESSAGE_SAMPLE: dict[str, object] = {
    "reference": "2024-01-15-001",
    "title": "Checkout failing",
    "channel": "incident-2024-01-15-001",
    "severity": 1,
    "severity_label": "Sev1 (Critical)",
    "start_time": "2024-01-15 10:00 UTC",
    "summary": "Checkout answers 500 for every order",
    "impact": "40% of users affected; services: api",
    "update_every": "15m",
    "status_page_url": "https://status.example.com",
    "time": "2024-01-15 10:30 UTC",
    "status": "investigating",
    "progress": "Rolled back the last deploy",
    "next_steps": "Watch the error rate",
    "eta": "11:00 UTC",
    "duration": "1h 5m",
    "resolution": "Rolled back the release",
    "root_cause": "A missing index",
    "prevention": "Index checks in CI",
    "postmortem_at": "2024-01-17 11:05 UTC",
}
VENDOR_SAMPLE: dict[str, object] = {
    "reference": "2024-01-15-001",
    "severity_label": "Sev1 (Critical)",
    "start_time": "2024-01-15 10:00 UTC",
    "services": "API",
    "provides": "database support",
    "status_page_url": "https://status.example.com",
}
SAMPLES: dict[str, dict[str, object]] = {
    "initial": MESSAGE_SAMPLE,
    "update": MESSAGE_SAMPLE,
    "resolution": MESSAGE_SAMPLE,
    "briefing": MESSAGE_SAMPLE,
    "vendor": VENDOR_SAMPLE,
}


def template_problem(name: str, source: str) -> str | None:
    """Why the playbook template `name` fails on sample data, or None when it renders: once
    per incident status, so a branch taken only when resolved is rendered too."""
    sample = SAMPLES[name]
    statuses = STATUSES if "status" in sample else (None,)
    path = template_path(name)
    try:
        template = _compile(path, source)
        for status in statuses:
            _run(path, template, sample if status is None else sample | {"status": status})
    except TemplateFailed as exc:
        return exc.reason
    return None
