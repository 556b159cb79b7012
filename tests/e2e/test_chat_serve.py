"""End to end: a real `warroom serve`, with the Slack token in its environment and the
playbook's Slack pointed at the loopback stand-in, opens the war room of a Sev1 and takes
`/incident update` typed in it (the issue's "done when")."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.chat.conftest import SIGNING_SECRET, slack_users, with_chat
from tests.chat.slack_standin import TOKEN, SlackStandIn
from tests.chat.test_slash_command import signed
from tests.e2e.loopback import wait_for
from tests.e2e.test_paging_delivery import serve, server_env  # noqa: F401
from warroom.core.playbook import Playbook
from warroom.core.playbook_file import dump_playbook

pytestmark = pytest.mark.slow


def test_warroom_serve_opens_the_war_room_and_takes_an_update_typed_there(
    serve: object,  # noqa: F811  (the fixtures of test_paging_delivery)
    server_env: dict[str, str],  # noqa: F811
    playbook: Playbook,
) -> None:
    slack = SlackStandIn(slack_users(playbook)).start()
    try:
        pb = with_chat(playbook, slack.url)
        Path(server_env["WARROOM_PLAYBOOK"]).write_text(dump_playbook(pb), "utf-8")
        server_env["WARROOM_SLACK_TOKEN"] = TOKEN
        server_env["WARROOM_SLACK_SIGNING_SECRET"] = SIGNING_SECRET
        client: httpx.Client = serve()  # type: ignore[operator]
        declared = client.post("/api/v1/incidents", json={"title": "Checkout down", "severity": 1})
        reference = declared.json()["reference"]

        def room_ready() -> bool:
            found = [c for c in slack.channels.values() if c.name == f"incident-{reference}"]
            return bool(found) and bool(found[0].pins) and len(found[0].bookmarks) == 3

        assert wait_for(room_ready), f"no war room: {[c.method for c in slack.calls]}"
        channel = slack.by_name(f"incident-{reference}")
        assert len(channel.members) == 3 and channel.messages[0]["text"].startswith("🚨")
        assert client.get(f"/api/v1/incidents/{reference}").json()["links"]["chat"] == channel.id

        body = urlencode(
            {"text": "update Rolled back the deploy", "channel_id": channel.id,
             "user_id": slack.users["sre-lead"], "user_name": "sre-lead"}
        )  # fmt: skip
        answer = httpx.post(
            server_env["WARROOM_URL"] + "/api/v1/chat/slack/commands",
            content=body, headers=signed(body, int(time.time())),
        )  # fmt: skip
        assert answer.json()["text"] == f"Done: update on {reference}"
        assert wait_for(lambda: "Rolled back" in channel.messages[-1]["text"])
        timeline = client.get(f"/api/v1/incidents/{reference}/timeline").json()
        assert any(e["kind"] == "update_posted" and e["actor"] == "sre-lead" for e in timeline)
    finally:
        slack.stop()
