"""Who is on call: a pure function of a schedule, its overrides and the moment.

Each layer's rotation hands off at wall-clock times in the schedule's timezone (a weekly
Monday 09:00 handoff stays at 09:00 local across daylight-saving changes, so that shift is
167 or 169 hours long); a layer's `restrict` leaves it nobody outside its spans; a later
layer wins wherever it has someone; an override wins within its span, the latest made
first. A wall time the spring change skips hands off when the clocks jump.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.core.playbook_base import WEEKDAYS
from warroom.core.schedule_model import Layer, Schedule, schedule_id

SEARCH_LIMIT = timedelta(days=366)  # how far `on_call` looks for the ends of a shift
_FIRST_WINDOW = timedelta(weeks=2)


@dataclass(frozen=True)
class Override:
    """`person` covers the schedule from `start` until `end` (UTC)."""

    person: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Shift:
    """`person` on call from `start` until `end`; None: nobody is (a gap)."""

    person: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class OnCall:
    """Who is on call at a moment, since when and until when (None: not within a year,
    or before the schedule began)."""

    person: str | None
    since: datetime | None
    until: datetime | None


def person_at(schedule: Schedule, overrides: Sequence[Override], at: datetime) -> str | None:
    for override in reversed(overrides):
        if override.start <= at < override.end:
            return override.person
    zone = ZoneInfo(schedule.timezone)
    for layer in reversed(schedule.layers):
        person = _LayerClock(layer, zone).person(at)
        if person is not None:
            return person
    return None


def who_holds(
    schedules: Mapping[str, Schedule],
    overrides: Mapping[str, Sequence[Override]],
    holder: str,
    at: datetime,
) -> str | None:
    """The person a role holder or level member names at `at`: itself, or whoever is on
    call then on the schedule it names as `schedule:<id>` (None: nobody is)."""
    wanted = schedule_id(holder)
    if wanted is None:
        return holder
    schedule = schedules.get(wanted)
    return None if schedule is None else person_at(schedule, overrides.get(wanted, ()), at)


def holders_at(
    schedules: Mapping[str, Schedule],
    overrides: Mapping[str, Sequence[Override]],
    holders: Mapping[str, str],
    at: datetime,
) -> dict[str, str]:
    """Role holders as people at `at`: a role whose holder names a schedule goes to whoever
    is on call then (and stays with the schedule while nobody is)."""
    return {
        role: who_holds(schedules, overrides, holder, at) or holder
        for role, holder in holders.items()
    }


def shifts(
    schedule: Schedule, overrides: Sequence[Override], start: datetime, end: datetime
) -> list[Shift]:
    """The shifts from `start` until `end`: contiguous, never overlapping, each person's
    stretch in one shift, gaps as shifts of nobody, cut at `start` and `end`."""
    if end <= start:
        return []
    points = sorted({start, *(p for p in _changes(schedule, overrides, start, end) if p > start)})
    found: list[Shift] = []
    for begin, finish in zip(points, [*points[1:], end], strict=True):
        person = person_at(schedule, overrides, begin)
        if found and found[-1].person == person:
            found[-1] = Shift(person, found[-1].start, finish)
        else:
            found.append(Shift(person, begin, finish))
    return found


def on_call(schedule: Schedule, overrides: Sequence[Override], at: datetime) -> OnCall:
    """Who is on call at `at`, and the whole shift around it (looked for up to a year)."""
    window = _FIRST_WINDOW
    while True:
        found = shifts(schedule, overrides, at - window, at + window)
        current = next(s for s in found if s.start <= at < s.end)
        open_before = current.start == at - window
        open_after = current.end == at + window
        if not (open_before or open_after) or window >= SEARCH_LIMIT:
            break
        window = min(window * 4, SEARCH_LIMIT)
    return OnCall(
        current.person,
        None if open_before else current.start,
        None if open_after else current.end,
    )


def gaps(
    schedule: Schedule, overrides: Sequence[Override], start: datetime, end: datetime
) -> list[Shift]:
    """The spans from `start` until `end` when nobody is on call."""
    return [s for s in shifts(schedule, overrides, start, end) if s.person is None]


def _changes(
    schedule: Schedule, overrides: Sequence[Override], start: datetime, end: datetime
) -> Iterator[datetime]:
    """Every moment within [start, end) at which who is on call may change."""
    zone = ZoneInfo(schedule.timezone)
    for layer in schedule.layers:
        yield from _LayerClock(layer, zone).changes(start, end)
    for override in overrides:
        yield from (m for m in (override.start, override.end) if start <= m < end)


class _LayerClock:
    """One layer's turns and restricted spans as UTC instants."""

    def __init__(self, layer: Layer, zone: ZoneInfo) -> None:
        self.rotation = layer.rotation
        self.restrict = layer.restrict
        self.zone = zone

    def handoff(self, turn: int) -> datetime:
        rotation = self.rotation
        return _instant(rotation.start + rotation.length * turn, self.zone)

    def turn(self, at: datetime) -> int | None:
        """The number of the turn that holds `at` (None: before the rotation starts)."""
        if at < self.handoff(0):
            return None
        estimate = (_wall(at, self.zone) - self.rotation.start) // self.rotation.length
        turn = max(0, estimate)
        while turn > 0 and self.handoff(turn) > at:
            turn -= 1
        while self.handoff(turn + 1) <= at:
            turn += 1
        return turn

    def person(self, at: datetime) -> str | None:
        turn = self.turn(at)
        if turn is None or not self.active(at):
            return None
        people = self.rotation.people
        return people[turn % len(people)]

    def active(self, at: datetime) -> bool:
        if self.restrict is None:
            return True
        today = _wall(at, self.zone).date()
        return any(begin <= at < end for begin, end in self.spans(today - timedelta(days=1), today))

    def spans(self, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
        """The restricted spans that start on the local days from `first` to `last`."""
        assert self.restrict is not None
        opens, length = self.restrict.span()
        day = first
        while day <= last:
            if WEEKDAYS[day.weekday()] in self.restrict.weekdays:
                begin = datetime.combine(day, opens)
                yield _instant(begin, self.zone), _instant(begin + length, self.zone)
            day += timedelta(days=1)

    def changes(self, start: datetime, end: datetime) -> Iterator[datetime]:
        turn = self.turn(start)
        turn = 0 if turn is None else turn
        while (moment := self.handoff(turn)) < end:
            yield moment
            turn += 1
        if self.restrict is not None:
            first = _wall(start, self.zone).date() - timedelta(days=1)
            for begin, finish in self.spans(first, _wall(end, self.zone).date()):
                yield from (m for m in (begin, finish) if start <= m < end)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local wall time: its first occurrence when the autumn change
    repeats it, the moment the clocks jump when the spring change skips it."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) < wall:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)
