"""The schedules' checks, each problem with its YAML path: people and timezones that exist,
the holders that name `schedule:<id>`, and (for `playbook check`) the next weeks' gaps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.core.playbook import Playbook, PlaybookProblem
from warroom.core.schedule_model import schedule_id
from warroom.core.schedules import gaps

GAP_HORIZON = timedelta(weeks=4)
MAX_GAPS_SHOWN = 5


def unknown_schedule(playbook: Playbook, holder: str) -> str | None:
    """For a holder naming `schedule:<id>`: why it cannot be paged ('' when it can);
    None when the holder names a person."""
    wanted = schedule_id(holder)
    if wanted is None:
        return None
    if wanted not in playbook.schedules:
        return f"names unknown schedule {wanted!r}"
    return ""


def schedule_problems(playbook: Playbook) -> Iterator[tuple[str, str]]:
    for name, schedule in playbook.schedules.items():
        base = f"schedules.{name}"
        try:
            ZoneInfo(schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            yield f"{base}.timezone", f"unknown timezone {schedule.timezone!r}"
        for index, layer in enumerate(schedule.layers):
            for number, person_id in enumerate(layer.rotation.people):
                path = f"{base}.layers.{index}.rotation.people.{number}"
                person = playbook.people.get(person_id)
                if person is None:
                    yield path, f"names unknown person {person_id!r}"
                elif not person.contacts:
                    yield path, f"names person {person_id!r}, who has no contacts to page"


def schedule_gaps(
    playbook: Playbook, now: datetime, within: timedelta = GAP_HORIZON
) -> list[PlaybookProblem]:
    """Each span of the next four weeks when a schedule has nobody on call (overrides
    aside: they are data, not the file), in the schedule's local time."""
    found = []
    for name, schedule in playbook.schedules.items():
        try:
            zone = ZoneInfo(schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # reported as an unknown timezone
        spans = gaps(schedule, [], now, now + within)
        for gap in spans[:MAX_GAPS_SHOWN]:
            start, end = (f"{m.astimezone(zone):%a %Y-%m-%d %H:%M}" for m in (gap.start, gap.end))
            message = f"nobody is on call from {start} until {end} ({schedule.timezone})"
            found.append(PlaybookProblem(path=f"schedules.{name}", message=message))
        if len(spans) > MAX_GAPS_SHOWN:
            more = f"and {len(spans) - MAX_GAPS_SHOWN} more gaps in the next four weeks"
            found.append(PlaybookProblem(path=f"schedules.{name}", message=more))
    return found
