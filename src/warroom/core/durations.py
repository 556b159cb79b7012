"""Playbook durations: '90s', '15m', '1h', '2d' (and combinations such as '1h30m')."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"^(\d+[smhdw])+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """Parse a duration string; raise ValueError with the accepted forms otherwise."""
    cleaned = text.strip().lower()
    if not _WHOLE.match(cleaned):
        raise ValueError(f"{text!r} is not a duration; use forms like 90s, 15m, 1h, 2d")
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _PART.findall(cleaned))
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The shortest playbook form of a duration: 3600s -> '1h', 5400s -> '1h30m'."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def humanize(delta: timedelta) -> str:
    """Words for people: 900s -> '15 minutes', 5400s -> '1 hour 30 minutes'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return _plural(seconds, "second")
    words = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            words.append(_plural(seconds // size, unit))
            seconds %= size
    return " ".join(words)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
