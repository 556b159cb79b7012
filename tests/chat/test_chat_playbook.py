"""The playbook's `chat` section (SPEC §9): checked with YAML paths, and chat is off until
the bot token is in the environment variable it names."""

from __future__ import annotations

import yaml

from warroom.core.chat import slack_access
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import builtin_playbook_text, check_playbook_text
from warroom.notify.delivery import channel_problems


def with_chat_section(chat: dict[str, object]) -> str:
    raw = yaml.safe_load(builtin_playbook_text())
    raw["chat"] = chat
    return yaml.safe_dump(raw, allow_unicode=True)


def test_the_built_in_playbook_announces_in_incidents_and_archives_a_week_after() -> None:
    playbook, problems = check_playbook_text(builtin_playbook_text())
    assert problems == [] and playbook is not None
    assert playbook.chat.slack is not None
    assert playbook.chat.slack.announce_channel == "#incidents"
    assert playbook.chat.slack.archive_after is not None
    assert playbook.chat.slack.archive_after.days == 7


def test_a_bad_chat_section_is_reported_with_its_yaml_paths() -> None:
    text = with_chat_section(
        {
            "slack": {
                "api_url": "not a url",
                "token_env": "MY TOKEN",
                "announce_channel": "incidents",
                "archive_after": "soon",
                "channel": "#x",
            },
        }
    )
    _, problems = check_playbook_text(text)
    paths = {p.path for p in problems}
    assert {
        "chat.slack.api_url",
        "chat.slack.token_env",
        "chat.slack.announce_channel",
        "chat.slack.archive_after",
        "chat.slack.channel",
    } <= paths


def test_chat_is_off_without_a_token_and_on_with_one(playbook: Playbook) -> None:
    assert slack_access(playbook, {}) is None
    assert slack_access(playbook, {"WARROOM_SLACK_TOKEN": "  "}) is None
    access = slack_access(playbook, {"WARROOM_SLACK_TOKEN": "xoxb-1"})
    assert access is not None and access.api_url == "https://slack.com/api/"
    assert access.announce_channel == "#incidents" and access.signing_secret is None


def test_a_teams_backup_apprise_refuses_is_reported_at_its_path(playbook: Playbook) -> None:
    chat = playbook.chat.model_copy(update={"teams_backup": "nonsense://nowhere"})
    problems = channel_problems(playbook.model_copy(update={"chat": chat}))
    assert [p.path for p in problems] == ["chat.teams_backup"]
    fine = playbook.chat.model_copy(update={"teams_backup": "json://127.0.0.1:9/teams"})
    assert channel_problems(playbook.model_copy(update={"chat": fine})) == []
