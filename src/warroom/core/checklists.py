"""The playbook's checklists on one incident, with no I/O: which items an event ticks by
itself, and the list as a responder sees it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warroom.core.playbook import ChecklistItem, Playbook

Ticks = Mapping[str, Mapping[str, Any]]  # item id -> {done, done_by, done_at}


@dataclass(frozen=True)
class Item:
    id: str
    phase: str
    text: str
    done: bool
    done_by: str | None
    done_at: datetime | None
    automatic: bool


def all_items(playbook: Playbook) -> Iterator[tuple[str, ChecklistItem]]:
    for checklist in playbook.checklists:
        for item in checklist.items:
            yield checklist.phase, item


def find_item(playbook: Playbook, item_id: str) -> tuple[str, ChecklistItem] | None:
    return next(((p, i) for p, i in all_items(playbook) if i.id == item_id), None)


def ticked_by(playbook: Playbook, kind: str, data: Mapping[str, Any], ticks: Ticks) -> list[str]:
    """The ids of the items not yet done that this event ticks by itself."""
    return [
        item.id
        for _, item in all_items(playbook)
        if item.ticks_on and not _done(ticks, item.id) and _matches(item.ticks_on, kind, data)
    ]


def view(playbook: Playbook, ticks: Ticks) -> list[Item]:
    """Every item in the playbook's order, with who ticked it and when."""
    return [
        Item(
            id=item.id,
            phase=phase,
            text=item.text,
            done=_done(ticks, item.id),
            done_by=ticks.get(item.id, {}).get("done_by"),
            done_at=_when(ticks.get(item.id, {}).get("done_at")),
            automatic=bool(ticks.get(item.id, {}).get("automatic")),
        )
        for phase, item in all_items(playbook)
    ]


def _matches(ticks_on: str, kind: str, data: Mapping[str, Any]) -> bool:
    event, _, field = ticks_on.partition(".")
    return event == kind and (not field or data.get(field) not in (None, "", [], {}))


def _done(ticks: Ticks, item_id: str) -> bool:
    return bool(ticks.get(item_id, {}).get("done"))


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
