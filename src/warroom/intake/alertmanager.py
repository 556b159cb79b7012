"""Prometheus Alertmanager `webhook_config` payloads (version "4"); Grafana reuses the shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.intake.common import (
    PayloadRejected,
    digest,
    named,
    require_object,
    string_map,
    text,
    timestamp,
)
from warroom.intake.routing import Alert, AlertStatus, Notification

ALERT_EXTRAS = ("generatorURL",)


def parse(
    body: Any,
    now: datetime,
    *,
    source: str = "alertmanager",
    extras: tuple[str, ...] = ALERT_EXTRAS,
) -> Notification:
    """A webhook payload -> one notification for its group. Unknown fields are ignored."""
    payload = require_object(body, "body")
    raw_alerts = payload.get("alerts")
    if not isinstance(raw_alerts, list):
        raise PayloadRejected("alerts must be a list", "alerts")
    common_labels = string_map(payload.get("commonLabels"), "commonLabels")
    common_annotations = string_map(payload.get("commonAnnotations"), "commonAnnotations")
    group_labels = string_map(payload.get("groupLabels"), "groupLabels")
    group_key = text(payload.get("groupKey"), "groupKey") or _fallback_key(
        text(payload.get("receiver"), "receiver"), group_labels
    )
    external_url = payload.get("externalURL")
    backlink = external_url if isinstance(external_url, str) and external_url else None
    alerts = tuple(
        parse_alert(raw, f"alerts[{i}]", group_key, now, source, extras=extras, backlink=backlink)
        for i, raw in enumerate(raw_alerts)
    )
    title = group_title(common_labels, common_annotations, group_labels)
    if title == "Alert":
        title = text(payload.get("title"), "title") or title
    return Notification(source=source, group_key=group_key, title=title, alerts=alerts)


def parse_alert(
    raw: Any,
    field: str,
    group_key: str,
    now: datetime,
    source: str,
    *,
    extras: tuple[str, ...],
    backlink: str | None = None,
) -> Alert:
    """`backlink`: the sender's own address (the payload's externalURL), kept in the alert's
    details, where a silence link for it starts."""
    alert = require_object(raw, field)
    labels = string_map(alert.get("labels"), field, "labels")
    annotations = string_map(alert.get("annotations"), field, "annotations")
    status = _status(alert.get("status"), field)
    starts_at = timestamp(alert.get("startsAt"), field, "startsAt") or now
    ends_at = timestamp(alert.get("endsAt"), field, "endsAt")
    fingerprint = (
        text(alert.get("fingerprint"), field, "fingerprint")
        or digest(*sorted(f"{k}={v}" for k, v in labels.items()))[:16]
    )
    details = {}
    for key in extras:  # a loop: a comprehension is a call of its own
        if (value := alert.get(key)) is not None and value != "":
            details[key] = value
    if backlink is not None:
        details["externalURL"] = backlink
    # By position, in Alert's field order: by keyword a named tuple takes twice as long to
    # make, and a storm's payloads make a hundred each.
    return Alert(
        source,
        group_key,
        status,
        alert_title(labels, annotations),  # title
        labels,
        annotations,
        starts_at,
        ends_at if status == "resolved" else None,  # ends_at
        fingerprint[:64],
        details,
    )


def alert_title(labels: dict[str, str], annotations: dict[str, str]) -> str:
    name = labels.get("alertname", "")
    summary = annotations.get("summary") or annotations.get("description") or ""
    if name and summary:
        return f"{name}: {summary}"[:1024]
    return (name or summary or "Alert")[:1024]


def group_title(
    common_labels: dict[str, str], common_annotations: dict[str, str], group_labels: dict[str, str]
) -> str:
    title = alert_title(common_labels, common_annotations)
    if title != "Alert":
        return title
    if group_labels:
        return ", ".join(f"{k}={v}" for k, v in sorted(group_labels.items()))
    return title


def _status(value: Any, alert_field: str) -> AlertStatus:
    if value == "firing":
        return "firing"
    if value == "resolved":
        return "resolved"
    field = named(alert_field, "status")
    raise PayloadRejected(f"{field} must be 'firing' or 'resolved'", field)


def _fallback_key(receiver: str, group_labels: dict[str, str]) -> str:
    labels = ", ".join(f'{k}="{v}"' for k, v in sorted(group_labels.items()))
    return f"{receiver}:{{{labels}}}"
