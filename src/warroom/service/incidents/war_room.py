"""The war room of one incident, as its detail carries it (SPEC §3b): where the response
happens (links, the playbook's resources), who holds each role by name, the affected
services' runbooks, and the alerts last received with how many there are in all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from warroom.core import alert_views, war_room
from warroom.service.context import Context
from warroom.store.alert_queries import latest_alerts
from warroom.store.chat_queries import room_of
from warroom.store.models import Incident
from warroom.store.storm_queries import group_views, storm_of

ALERTS_SHOWN = 200  # newest first: a storm's incident holds far more, `alerts_total` counts all


def war_room_fields(ctx: Context, session: Session, incident: Incident) -> dict[str, Any]:
    """The incident detail's war-room fields (`IncidentDetail`)."""
    playbook = ctx.playbook
    alerts, alerts_total = latest_alerts(session, incident.id, ALERTS_SHOWN)
    links = war_room.links(playbook, incident.reference, incident.channel, ctx.settings.public_url)
    room = room_of(session, incident.id)
    if room is not None:  # chat on, and Slack made the channel: its id (SPEC §9)
        links["chat"] = room.channel_id
    return {
        "links": links,
        "resources": war_room.resources(playbook),
        "role_holders": war_room.role_holders(playbook, incident.roles),
        "runbooks": war_room.runbooks(playbook, incident.services),
        "alerts": [alert_views.view(record) for record in alerts],
        "alerts_total": alerts_total,
        "storm": storm_of(session, incident.id) is not None,
        "alert_groups": group_views(session, incident.id),
    }
