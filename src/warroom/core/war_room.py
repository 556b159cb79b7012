"""Where the response happens, for one incident, with no I/O: its links (chat, video
bridge, status page, its page in the UI), the war-room resources the playbook lists, and
the runbooks of the services it touches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warroom.core.playbook import Playbook


def links(playbook: Playbook, reference: str, channel: str, ui_url: str) -> dict[str, str | None]:
    """`ui_url` is warroom's own public address; the video bridge may name `{reference}`."""
    communication = playbook.communication
    video = communication.video_url
    return {
        "chat": f"#{channel}",
        "video": video.replace("{reference}", reference) if video else None,
        "status_page": communication.status_page.url,
        "ui": f"{ui_url.rstrip('/')}/ui/incidents/{reference}",
    }


def resources(playbook: Playbook) -> dict[str, str]:
    """The playbook's internal systems (paging, chat and its backup, video, status page)."""
    return dict(playbook.communication.internal_systems)


def runbooks(playbook: Playbook, services: Sequence[str]) -> list[dict[str, Any]]:
    """Each affected service's runbook, in the order the incident names them."""
    found = []
    for service_id in services:
        service = playbook.services.get(service_id)
        if service is None or not (service.runbook or service.runbook_url):
            continue
        found.append(
            {
                "service": service_id,
                "name": service.name,
                "url": service.runbook_url,
                "sections": [section.model_dump() for section in service.runbook],
            }
        )
    return found


def role_holders(playbook: Playbook, roles: Mapping[str, str]) -> list[dict[str, str]]:
    """Each role the incident fills with its holder, in the playbook's order of roles (the
    commander first, whatever order the database keeps them in): by name for people, by
    id for scripts."""
    ordered = [*(role for role in playbook.roles if role in roles), *roles]
    return [
        {
            "role": role,
            "role_name": playbook.roles[role].name if role in playbook.roles else role,
            "person": roles[role],
            "name": playbook.person_name(roles[role]),
        }
        for role in dict.fromkeys(ordered)
    ]
