"""Who typed a slash command or pressed a button, and in which incident's channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from warroom.core.chat import person_for_slack_user
from warroom.service.context import Context
from warroom.store.chat_queries import incident_of_channel


@dataclass(frozen=True)
class ChatCaller:
    person: str | None  # the playbook person behind the Slack user; None: unknown
    reference: str | None  # the incident whose channel it came from; None: elsewhere


def chat_caller(
    ctx: Context, session: Session, *, channel_id: str, user_id: str, user_name: str | None
) -> ChatCaller:
    incident = incident_of_channel(session, channel_id) if channel_id else None
    person = person_for_slack_user(ctx.playbook, user_id, user_name)
    return ChatCaller(person, incident.reference if incident else None)
