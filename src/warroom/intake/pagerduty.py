"""PagerDuty Events API v2 (`POST /v2/enqueue`), as real senders and Alertmanager's
`pagerduty_config` send it. Validation collects every problem, as PagerDuty answers them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warroom.intake.common import PayloadRejected, digest, timestamp
from warroom.intake.routing import Action, Alert, Notification

SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255
MAX_BODY = 512_000
_LABEL_LINE = re.compile(r"^ - (\S+) = (.*)$")


class InvalidEvent(PayloadRejected):
    """PagerDuty's 400: `{status: "invalid event", message, errors: [...]}`."""

    def __init__(self, errors: list[str], field: str | None = None) -> None:
        super().__init__("Event object is invalid", field)
        self.errors = errors


@dataclass(frozen=True)
class Event:
    routing_key: str
    dedup_key: str
    notification: Notification


def routing_key(body: Any) -> str:
    if not isinstance(body, dict):
        raise InvalidEvent(["Event object must be a JSON object"], "body")
    key = body.get("routing_key")
    if not isinstance(key, str) or not key:
        raise InvalidEvent(["'routing_key' is missing or blank"], "routing_key")
    return key


def parse(body: Any, now: datetime, *, new_key: str | None = None) -> Event:
    """`new_key` is the dedup_key of a trigger sent without one (default: a fresh one);
    passing the same one makes parsing repeatable."""
    key = routing_key(body)
    errors: list[str] = []
    action = body.get("event_action")
    if action not in ACTIONS:
        errors.append("'event_action' must be one of trigger, acknowledge, resolve")
    dedup_key = body.get("dedup_key")
    if dedup_key is not None and not isinstance(dedup_key, str):
        errors.append("'dedup_key' must be a string")
    elif isinstance(dedup_key, str) and len(dedup_key) > MAX_DEDUP_KEY:
        errors.append(f"'dedup_key' is longer than {MAX_DEDUP_KEY} characters")
    elif not dedup_key and action in ("acknowledge", "resolve"):
        errors.append("'dedup_key' is missing or blank")
    payload = body.get("payload")
    if action == "trigger":
        errors.extend(_check_payload(payload))
    if errors:
        raise InvalidEvent(errors, _field_of(errors[0]))
    dedup = str(dedup_key) if dedup_key else new_key or uuid.uuid4().hex
    alert = _alert(action, dedup, payload if isinstance(payload, dict) else {}, now)
    notification = Notification(
        source="pagerduty",
        group_key=dedup,
        title=alert.annotations.get("summary", alert.title),
        alerts=(alert,),
        action=_action(action),
    )
    return Event(routing_key=key, dedup_key=dedup, notification=notification)


def _check_payload(payload: Any) -> list[str]:
    if not isinstance(payload, dict):
        return ["'payload' is missing or not an object"]
    errors = []
    summary = payload.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors.append("'payload.summary' is missing or blank")
    elif len(summary) > MAX_SUMMARY:
        errors.append(f"'payload.summary' is longer than {MAX_SUMMARY} characters")
    source = payload.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append("'payload.source' is missing or blank")
    severity = payload.get("severity")
    if not isinstance(severity, str) or not severity:
        errors.append("'payload.severity' is missing or blank")
    elif severity not in SEVERITIES:
        errors.append("'payload.severity' must be one of critical, error, warning, info")
    details = payload.get("custom_details")
    if details is not None and not isinstance(details, dict):
        errors.append("'payload.custom_details' must be an object")
    if payload.get("timestamp") is not None:
        try:
            timestamp(payload.get("timestamp"), "payload.timestamp")
        except PayloadRejected as exc:
            errors.append(f"'payload.timestamp': {exc.message}")
    return errors


def _alert(action: str, dedup: str, payload: dict[str, Any], now: datetime) -> Alert:
    details = payload.get("custom_details") or {}
    labels = _labels_from_details(details)
    for name in ("severity", "source", "component", "group", "class"):
        value = payload.get(name)
        if isinstance(value, str) and value:
            labels.setdefault(name, value)
    summary = str(payload.get("summary") or "")
    starts = timestamp(payload.get("timestamp"), "payload.timestamp") or now
    return Alert(
        source="pagerduty",
        group_key=dedup,
        status="resolved" if action == "resolve" else "firing",
        title=summary or dedup,
        labels=labels,
        annotations={"summary": summary} if summary else {},
        starts_at=starts,
        ends_at=now if action == "resolve" else None,
        fingerprint=digest(dedup)[:16],
        details={"event_action": action, "custom_details": details},
    )


def _labels_from_details(details: dict[str, Any]) -> dict[str, str]:
    """Alertmanager's notifier puts its firing alerts in custom_details.firing: a text block
    of `Labels:\\n - k = v` stanzas (0.25-0.29) or a list of alert objects (0.30+). The labels
    every firing alert shares become the event's labels, so routing works as for webhooks."""
    firing = details.get("firing")
    sets: list[dict[str, str]] = []
    if isinstance(firing, list):
        for item in firing:
            if isinstance(item, dict) and isinstance(item.get("labels"), dict):
                sets.append({str(k): str(v) for k, v in item["labels"].items()})
    elif isinstance(firing, str):
        sets = _stanzas(firing)
    if not sets:
        return {}
    common = dict(sets[0])
    for other in sets[1:]:
        common = {k: v for k, v in common.items() if other.get(k) == v}
    return common


def _stanzas(block: str) -> list[dict[str, str]]:
    sets: list[dict[str, str]] = []
    in_labels = False
    for line in block.splitlines():
        if line == "Labels:":
            sets.append({})
            in_labels = True
        elif line.endswith(":") and not line.startswith(" "):
            in_labels = False
        elif in_labels and (match := _LABEL_LINE.match(line)):
            sets[-1][match.group(1)] = match.group(2)
    return sets


def _action(value: str) -> Action:
    if value == "acknowledge":
        return "acknowledge"
    return "resolve" if value == "resolve" else "trigger"


def _field_of(error: str) -> str | None:
    match = re.search(r"'([\w.]+)'", error)
    return match.group(1) if match else None
