"""A playbook whose incident commander and team-lead level are an on-call schedule, for the
tests of every layer: a weekly rotation handing over on Mondays at 09:00 New York time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from warroom.core.playbook import Playbook
from warroom.core.playbook_file import builtin_playbook_text, check_playbook_text

NEW_YORK = ZoneInfo("America/New_York")
ROTATION = ["sre-lead", "devops-lead", "lead-developer"]  # from Monday 2024-01-01 09:00
SRE_ONCALL: dict[str, Any] = {
    "timezone": "America/New_York",
    "handoff_notice": "1h",
    "layers": [{"rotation": {"length": "1w", "start": "2024-01-01T09:00", "people": ROTATION}}],
}


def scheduled_playbook() -> Playbook:
    raw = yaml.safe_load(builtin_playbook_text())
    raw["schedules"] = {"sre-oncall": SRE_ONCALL}
    raw["roles"]["incident_commander"]["primary"] = "schedule:sre-oncall"
    raw["levels"]["team_lead"] = ["schedule:sre-oncall"]
    playbook, problems = check_playbook_text(yaml.safe_dump(raw))
    assert playbook is not None and problems == [], problems
    return playbook


def new_york(text: str) -> datetime:
    """A New York wall-clock time as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK).astimezone(UTC)
