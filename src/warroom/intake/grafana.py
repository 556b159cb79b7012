"""Grafana unified-alerting webhook payloads: the Alertmanager shape with version "1" and
extra fields (orgId, state, title, message, per-alert URLs and values), ignored or kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.intake import alertmanager
from warroom.intake.common import PayloadRejected, require_object
from warroom.intake.routing import Notification

ALERT_EXTRAS = ("generatorURL", "silenceURL", "dashboardURL", "panelURL", "values", "ruleUID")


def parse(body: Any, now: datetime) -> Notification:
    payload = require_object(body, "body")
    if "alerts" not in payload and ("ruleName" in payload or "evalMatches" in payload):
        raise PayloadRejected(
            "legacy Grafana alerting payloads are not supported; use unified alerting", "alerts"
        )
    return alertmanager.parse(payload, now, source="grafana", extras=ALERT_EXTRAS)
