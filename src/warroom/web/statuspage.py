"""Render the public status: Statuspage v2 JSON documents, the HTML page, the Atom feed.

Everything is rendered from a `PublicStatus`, which holds public fields only; Jinja2
escapes all text (HTML and XML alike).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import jinja2

from warroom.service.status_page.public import PublicStatus, stamp

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("warroom.web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
STATUS_LABELS = {
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
FEED_SIZE = 50
# What XML 1.0 forbids in a document (C0 controls but tab and newlines, surrogates, U+FFFE/F):
# an update may carry it, the feed must stay well-formed.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _upcoming_or_active(status: PublicStatus) -> list[dict[str, Any]]:
    return [m for m in status.maintenances if m["status"] != "completed"]


def summary(status: PublicStatus) -> bytes:
    return _dump(
        {
            "page": status.page,
            "components": status.components,
            "incidents": status.unresolved,
            "scheduled_maintenances": _upcoming_or_active(status),
            "status": status.status,
        }
    )


def status_json(status: PublicStatus) -> bytes:
    return _dump({"page": status.page, "status": status.status})


def components(status: PublicStatus) -> bytes:
    return _dump({"page": status.page, "components": status.components})


def incidents(status: PublicStatus) -> bytes:
    return _dump({"page": status.page, "incidents": status.incidents})


def unresolved(status: PublicStatus) -> bytes:
    return _dump({"page": status.page, "incidents": status.unresolved})


def maintenances(status: PublicStatus) -> bytes:
    return _dump({"page": status.page, "scheduled_maintenances": status.maintenances})


def upcoming_maintenances(status: PublicStatus) -> bytes:
    upcoming = [m for m in status.maintenances if m["status"] == "scheduled"]
    return _dump({"page": status.page, "scheduled_maintenances": upcoming})


def active_maintenances(status: PublicStatus) -> bytes:
    active = [m for m in status.maintenances if m["status"] == "in_progress"]
    return _dump({"page": status.page, "scheduled_maintenances": active})


JSON_DOCUMENTS = {
    "summary.json": summary,
    "status.json": status_json,
    "components.json": components,
    "incidents.json": incidents,
    "incidents/unresolved.json": unresolved,
    "scheduled-maintenances.json": maintenances,
    "scheduled-maintenances/upcoming.json": upcoming_maintenances,
    "scheduled-maintenances/active.json": active_maintenances,
}


def html(status: PublicStatus) -> bytes:
    page = _templates.get_template("status.html").render(
        s=status,
        labels=STATUS_LABELS,
        upcoming=_upcoming_or_active(status),
        when=_when,
    )
    return page.encode()


def atom(status: PublicStatus) -> bytes:
    entries = sorted(
        (
            {"inc": incident, "upd": update}
            for incident in status.incidents
            for update in incident["incident_updates"]
        ),
        key=lambda e: e["upd"]["created_at"],
        reverse=True,
    )[:FEED_SIZE]
    feed = _templates.get_template("feed.atom").render(
        s=status, entries=entries, updated=stamp(status.generated_at)
    )
    return XML_FORBIDDEN.sub("\ufffd", feed).encode()


def _when(value: str | datetime | None) -> str:
    """'2024-01-15T10:00:00.000Z' or a datetime -> '2024-01-15 10:00 UTC'."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.strftime("%Y-%m-%d %H:%M UTC")
