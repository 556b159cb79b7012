"""The generic webhook: `{title, severity?, service?, dedup_key?, status, details?}`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from warroom.core.playbook import Intake
from warroom.intake.common import PayloadRejected, digest, require_object, text
from warroom.intake.routing import Alert, Notification

MAX_TITLE = 1024
MAX_DEDUP_KEY = 255
MAX_SEVERITY_DIGITS = 9  # longer is no severity; int() refuses thousands of digits


def parse(body: Any, now: datetime, intake: Intake, *, new_key: str | None = None) -> Notification:
    """`new_key` is the group key of an event without a dedup_key (default: a fresh one);
    passing the same one makes parsing repeatable."""
    payload = require_object(body, "body")
    title = text(payload.get("title"), "title", required=True).strip()
    if len(title) > MAX_TITLE:
        raise PayloadRejected(f"title is longer than {MAX_TITLE} characters", "title")
    status = payload.get("status", "firing")
    if status not in ("firing", "resolved"):
        raise PayloadRejected("status must be 'firing' or 'resolved'", "status")
    dedup_key = text(payload.get("dedup_key"), "dedup_key")
    if len(dedup_key) > MAX_DEDUP_KEY:
        raise PayloadRejected(f"dedup_key is longer than {MAX_DEDUP_KEY} characters", "dedup_key")
    details = payload.get("details")
    if details is not None and not isinstance(details, dict):
        raise PayloadRejected("details must be a JSON object", "details")
    labels = {intake.severity_label: _severity(payload.get("severity"), intake)}
    service = text(payload.get("service"), "service")
    if service:
        labels[intake.service_labels[0] if intake.service_labels else "service"] = service
    group_key = dedup_key or new_key or uuid.uuid4().hex
    alert = Alert(
        source="generic",
        group_key=group_key,
        status="firing" if status == "firing" else "resolved",
        title=title,
        labels={k: v for k, v in labels.items() if v},
        annotations={"summary": title},
        starts_at=now,
        ends_at=now if status == "resolved" else None,
        fingerprint=digest(group_key)[:16],
        details=details or {},
    )
    return Notification(source="generic", group_key=group_key, title=title, alerts=(alert,))


def _severity(value: Any, intake: Intake) -> str:
    """A label value (`critical`) or a severity number (1-4), carried as the severity label."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        raise PayloadRejected("severity must be a severity number or label", "severity")
    if isinstance(value, int):
        names = [name for name, number in intake.severity_map.items() if number == value]
        if not names:
            raise PayloadRejected("severity is not a severity number in the playbook", "severity")
        return names[0]
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            return _severity(int(value) if len(value) <= MAX_SEVERITY_DIGITS else -1, intake)
        return value
    raise PayloadRejected("severity must be a severity number or label", "severity")
