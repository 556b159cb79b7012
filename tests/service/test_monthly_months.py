"""The monthly review counts months as the playbook's timezone does, the same months the
review made by itself at that timezone's midnight on the 1st covers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from warroom.service.context import Context
from warroom.service.incidents import lifecycle
from warroom.service.reports import monthly


def test_an_incident_declared_on_new_year_s_eve_utc_counts_in_january_in_tokyo(
    ctx: Context,
) -> None:
    tokyo = dataclasses.replace(
        ctx, playbook=ctx.playbook.model_copy(update={"timezone": "Asia/Tokyo"})
    )
    at = datetime(2023, 12, 31, 20, 0, tzinfo=UTC)  # 05:00 on January 1st in Tokyo
    declaration = lifecycle.Declaration(title="Late-night outage", severity=2, at=at)
    tokyo.transact(lifecycle.declare, declaration, actor="sre-lead")
    assert tokyo.read(monthly.monthly_report, "2024-01")["incidents"]["total"] == 1
    assert tokyo.read(monthly.monthly_report, "2023-12")["incidents"]["total"] == 0
    assert ctx.read(monthly.monthly_report, "2023-12")["incidents"]["total"] == 1


def test_month_bounds_are_the_local_midnights_in_utc() -> None:
    start, end = monthly.month_bounds("2027-02", "Asia/Tokyo")
    assert (start, end) == (
        datetime(2027, 1, 31, 15, 0, tzinfo=UTC),
        datetime(2027, 2, 28, 15, 0, tzinfo=UTC),
    )
