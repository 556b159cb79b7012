"""Every text rendered from a template (the playbook's and the built-in page texts) goes
through the one sandbox here: a template may read the fields it is given and nothing of
the interpreter, and a name it was not given is an error rather than an empty string."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

SANDBOX = ImmutableSandboxedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)

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
    try:
        template = SANDBOX.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(path, f"template error line {exc.lineno}: {exc.message}") from exc
    return _run(path, template, fields)


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
    """Why the playbook template `name` fails on sample data, or None when it renders."""
    try:
        render(template_path(name), source, SAMPLES[name])
    except TemplateFailed as exc:
        return exc.reason
    return None
