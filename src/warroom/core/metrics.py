"""Incident metrics with no I/O: MTTA, MTTR, TTD, SLA outcomes, percentiles, drill scores.

Percentiles interpolate linearly between the two nearest ranks, as a spreadsheet's
PERCENTILE (PERCENTILE.INC) and MEDIAN do: the median of an even count is the mean of the
two middle values, so a monthly review matches the figures someone checks it against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

Summary = dict[str, float | None]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile (0..1) of `values`, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return float(ordered[below] + (ordered[above] - ordered[below]) * (position - below))


def summarize(values: Sequence[float]) -> Summary:
    """{"median", "p90", "mean"} in seconds; all None when there is nothing to measure."""
    if not values:
        return {"median": None, "p90": None, "mean": None}
    return {
        "median": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
        "mean": round(sum(values) / len(values), 3),
    }


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def time_to_acknowledge(declared_at: datetime, acknowledged_at: datetime | None) -> float | None:
    return seconds_between(declared_at, acknowledged_at)


def time_to_resolve(declared_at: datetime, resolved_at: datetime | None) -> float | None:
    return seconds_between(declared_at, resolved_at)


def time_to_detect(detected_at: datetime | None, declared_at: datetime) -> float | None:
    return seconds_between(detected_at, declared_at)


def sla_outcome(
    start: datetime, end: datetime | None, limit: timedelta, now: datetime
) -> str | None:
    """ "met", "breached", or None while the clock still runs inside the limit."""
    if end is not None:
        return "met" if end - start <= limit else "breached"
    return "breached" if now - start > limit else None


@dataclass(frozen=True)
class DrillScore:
    """How an exercise went: time to first page, roles assigned, first update on time."""

    time_to_first_page: float | None
    roles_assigned: int
    roles_total: int
    first_update_after: float | None
    first_update_on_time: bool

    @property
    def score(self) -> int:
        """0-100: a third each for paging, roles and the first update."""
        paged = 1.0 if self.time_to_first_page is not None else 0.0
        roles = self.roles_assigned / self.roles_total if self.roles_total else 1.0
        update = 1.0 if self.first_update_on_time else 0.0
        return round((paged + roles + update) / 3 * 100)


def score_drill(
    declared_at: datetime,
    first_page_at: datetime | None,
    roles_assigned: int,
    roles_total: int,
    first_update_at: datetime | None,
    update_every: timedelta,
) -> DrillScore:
    after = seconds_between(declared_at, first_update_at)
    return DrillScore(
        time_to_first_page=seconds_between(declared_at, first_page_at),
        roles_assigned=roles_assigned,
        roles_total=roles_total,
        first_update_after=after,
        first_update_on_time=after is not None and after <= update_every.total_seconds(),
    )


def trend(current: float | None, previous: float | None) -> float | None:
    """Relative change in percent against the previous value (None when not comparable)."""
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 1)
