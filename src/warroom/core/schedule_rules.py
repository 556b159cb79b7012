"""The schedules' checks, each problem with its YAML path: people and timezones that exist,
and the holders that name `schedule:<id>`."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.core.playbook import Playbook
from warroom.core.schedule_model import schedule_id


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
