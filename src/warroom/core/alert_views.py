"""An incident's alerts as responders read them, with no I/O: one entry per alert (per
fingerprint) with its latest status, labels and annotations, when it was first and last
received, and the links a responder follows from it (the graph that fired, the runbook,
the dashboard, a silence)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

RUNBOOK_ANNOTATIONS = ("runbook_url", "runbook")
DASHBOARD_ANNOTATIONS = ("dashboard", "dashboard_url", "grafana_url")
DASHBOARD_DETAILS = ("dashboardURL", "panelURL")
WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class AlertRecord:
    """One alert of an incident as stored: its latest notification's facts, and when its
    first and latest notifications were received."""

    fingerprint: str
    source: str
    status: str
    title: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    details: dict[str, Any]


@dataclass(frozen=True)
class AlertLinks:
    generator: str | None
    runbook: str | None
    dashboard: str | None
    silence: str | None


@dataclass(frozen=True)
class AlertView:
    fingerprint: str
    title: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    source: str
    links: AlertLinks


def view(record: AlertRecord) -> AlertView:
    return AlertView(
        fingerprint=record.fingerprint,
        title=record.title,
        status=record.status,
        labels=record.labels,
        annotations=record.annotations,
        starts_at=record.starts_at,
        ends_at=record.ends_at,
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        source=record.source,
        links=links(record),
    )


def links(record: AlertRecord) -> AlertLinks:
    """Only web addresses become links: an annotation is free text from the sender, and a
    `javascript:` runbook must never reach a responder's browser as one."""
    details, annotations = record.details, record.annotations
    return AlertLinks(
        generator=web_link(details.get("generatorURL")),
        runbook=_first_link(annotations, RUNBOOK_ANNOTATIONS),
        dashboard=_first_link(annotations, DASHBOARD_ANNOTATIONS)
        or _first_link(details, DASHBOARD_DETAILS),
        silence=web_link(details.get("silenceURL")) or _alertmanager_silence(record),
    )


def silence_filter(labels: Mapping[str, str]) -> str:
    """The matchers that select exactly this alert, as Alertmanager writes them:
    `{alertname="HighErrorRate",instance="checkout-a:8080"}`."""
    matchers = ",".join(f'{name}="{_quoted(value)}"' for name, value in sorted(labels.items()))
    return "{" + matchers + "}"


def alertmanager_silence_url(external_url: str, labels: Mapping[str, str]) -> str:
    """Alertmanager's own form for a new silence, filled in with the alert's labels."""
    encoded = quote(silence_filter(labels), safe="")
    return f"{external_url.rstrip('/')}/#/silences/new?filter={encoded}"


def web_link(value: Any) -> str | None:
    """`value` if it is an http(s) address, else nothing."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return None
    return value.strip()


def _first_link(values: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        if (found := web_link(values.get(name))) is not None:
            return found
    return None


def _alertmanager_silence(record: AlertRecord) -> str | None:
    external = web_link(record.details.get("externalURL"))
    if record.source != "alertmanager" or external is None or not record.labels:
        return None
    return alertmanager_silence_url(external, record.labels)


def _quoted(value: str) -> str:
    """A label value inside a matcher's double quotes (Go's escapes)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(frozen=True)
class AlertGroupView:
    """One alert group held by an incident (a storm holds many): its key and title, how
    many alerts (fingerprints) it has there and how many of them fire now."""

    group_key: str
    title: str
    alerts: int
    firing: int
    first_seen: datetime
    last_seen: datetime
