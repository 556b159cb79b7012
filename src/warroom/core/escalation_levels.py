"""Which escalation levels the causes falling due at one moment reach (SPEC §3a, levels).

A level is reached once. The matrix names its level; a trigger reaches the lowest level not
yet reached; causes at the same moment reach ONE level between them (at Sev1's 1 h the
matrix and the resolution target reach the CEO, not the CEO and the Board). When a raised
severity catches up, every level whose matrix time has passed is reached at the raise, and
the raise's own trigger is one of those causes, not an extra level.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class Cause:
    """Something that reaches an escalation level at `at`."""

    at: datetime
    reason: str
    level: str | None = None  # the matrix (and a level that did not answer) names its level
    matrix: bool = False
    late: bool = False  # a matrix time passed before the severity was raised to this one

    def caught_up(self, raised_at: datetime) -> Cause:
        """Under a severity raised at `raised_at`, what came before acts at the raise."""
        if self.at >= raised_at:
            return self
        return replace(self, at=raised_at, late=self.matrix)


def levels_reached(causes: list[Cause], reached: set[str], row: list[str]) -> list[tuple[str, str]]:
    """The levels (in row order) that the causes of one moment reach, usually one, each
    with the reasons of the causes that reached it."""
    late = sorted(
        {row.index(c.level) for c in causes if c.late and c.level and c.level not in reached}
    )
    if late:
        return [(row[index], _reasons(causes)) for index in late]
    named = [c for c in causes if c.level in row and c.level not in reached]
    triggers = [c for c in causes if c.level is None]
    unreached = [index for index, level in enumerate(row) if level not in reached]
    candidates = [row.index(c.level) for c in named if c.level is not None]
    if triggers and unreached:
        candidates.append(unreached[0])
    if not candidates:
        return []
    level = row[min(candidates)]
    reaching = [c for c in named if c.level == level]
    if triggers and level == row[unreached[0]]:
        reaching += triggers
    return [(level, _reasons(reaching))]


def _reasons(causes: list[Cause]) -> str:
    return "; ".join(dict.fromkeys(c.reason for c in sorted(causes, key=_cause_order)))


def _cause_order(cause: Cause) -> int:
    return 0 if cause.matrix else 1
