"""Chat-ops with no I/O (SPEC §9): whether chat is on, what of an incident's timeline is
posted to its channel and in what words, who a Slack user is in the playbook, and the
`/incident` command's grammar."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from warroom.core.incident import EventKind
from warroom.core.playbook import Playbook
from warroom.core.templates import builtin

CHANNEL_NAME_MAX = 80  # Slack's limit on a channel name
NAME_TRIES = 5  # a taken name gets a suffix: incident-...-001, then -001-2 ... -001-5


@dataclass(frozen=True)
class SlackAccess:
    """Chat is on: the Slack workspace, its credentials, and where else posts may go."""

    api_url: str
    token: str
    signing_secret: str | None
    announce_channel: str | None
    archive_after: timedelta | None
    teams_backup: str | None


def slack_access(playbook: Playbook, environment: Mapping[str, str]) -> SlackAccess | None:
    """None (chat off) unless the playbook has a `chat.slack` section and its bot token is
    in the environment variable it names."""
    slack = playbook.chat.slack
    token = environment.get(slack.token_env, "").strip() if slack else ""
    if slack is None or not token:
        return None
    api_url = slack.api_url if slack.api_url.endswith("/") else slack.api_url + "/"
    return SlackAccess(
        api_url=api_url,
        token=token,
        signing_secret=environment.get(slack.signing_secret_env, "").strip() or None,
        announce_channel=slack.announce_channel,
        archive_after=slack.archive_after,
        teams_backup=playbook.chat.teams_backup,
    )


# The timeline events people in the war room care about, each posted as it happens; an
# update and the resolution are posted as the playbook's own messages (📊, ✅).
POSTED_KINDS = frozenset(
    {
        EventKind.UPDATE_POSTED,
        EventKind.STATUS_CHANGED,
        EventKind.SEVERITY_CHANGED,
        EventKind.ROLE_ASSIGNED,
        EventKind.SME_ENGAGED,
        EventKind.ACKNOWLEDGED,
        EventKind.ESCALATED,
        EventKind.SLA_BREACHED,
        EventKind.RESOLUTION_ATTEMPT,
        EventKind.RESOLVED,
        EventKind.REOPENED,
    }
)
MESSAGE_OF_KIND: dict[str, str] = {
    EventKind.UPDATE_POSTED: "update",
    EventKind.RESOLVED: "resolution",
}

TOPIC = builtin(
    "chat.topic",
    "Sev{{ severity }} ({{ severity_name }}): {{ title }} | Commander: {{ commander }}",
)
POST = builtin("chat.post", "{{ sentence }} ({{ who }})")
ANNOUNCEMENT = builtin(
    "chat.announcement",
    "🚨 Sev{{ severity }} declared: {{ title }} ({{ reference }}). War room: "
    "{% if channel_id %}<#{{ channel_id }}>{% else %}#{{ channel }}{% endif %}",
)
BOOKMARKS = {
    "ui": builtin("chat.bookmark.ui", "Incident {{ reference }}"),
    "status_page": builtin("chat.bookmark.status_page", "Status page"),
    "video": builtin("chat.bookmark.video", "Video bridge"),
}
TEAMS_SUBJECT = builtin("chat.teams_subject", "[{{ reference }}] {{ title }}")
PAGE_BUTTON = builtin("chat.page_button", "Acknowledge")


def channel_names(name: str) -> list[str]:
    """The incident's channel name, then the names tried when it is taken."""
    first = name.lower()[:CHANNEL_NAME_MAX]
    return [first, *(f"{first[: CHANNEL_NAME_MAX - 2]}-{n}" for n in range(2, NAME_TRIES + 1))]


def person_for_slack_user(playbook: Playbook, user_id: str, user_name: str | None) -> str | None:
    """The playbook person whose `slack` contact is this Slack user (by id `U...`, or by
    the `@handle` Slack sends as the user's name)."""
    handles = {user_id, *([f"@{user_name.lstrip('@')}"] if user_name else [])}
    for person_id, person in playbook.people.items():
        if any(c.method == "slack" and c.address in handles for c in person.contacts):
            return person_id
    return None


def slack_contact(playbook: Playbook, person_id: str) -> str | None:
    """The person's Slack address: a user id `U...` or an `@handle`."""
    person = playbook.people.get(person_id)
    contacts = person.contacts if person else []
    return next((c.address for c in contacts if c.method == "slack"), None)


# Slack gets the message outbox's patience: four tries, then Teams carries the post.
RETRY_DELAYS = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=2)
TEXT_ACTIONS = frozenset({"initial", "announce", "post"})  # what Teams carries when Slack fails
