"""Every incident shows where its response happens and what to run."""

from __future__ import annotations

from warroom.core import war_room
from warroom.core.playbook import Playbook


def test_a_sev1_links_its_channel_video_room_status_page_and_ui_page(playbook: Playbook) -> None:
    links = war_room.links(
        playbook, "2024-01-15-001", "incident-2024-01-15-001", "https://warroom.example/"
    )
    assert links == {
        "chat": "#incident-2024-01-15-001",
        "video": "https://zoom.us/my/alchemorsel-incident-room",
        "status_page": "https://status.alchemorsel.com",
        "ui": "https://warroom.example/ui/incidents/2024-01-15-001",
    }


def test_the_video_bridge_may_name_the_incident(playbook: Playbook) -> None:
    communication = playbook.communication.model_copy(
        update={"video_url": "https://meet.example/{reference}"}
    )
    named = playbook.model_copy(update={"communication": communication})
    assert war_room.links(named, "2024-01-15-001", "c", "u")["video"] == (
        "https://meet.example/2024-01-15-001"
    )


def test_the_war_room_resources_include_teams_as_the_chat_backup(playbook: Playbook) -> None:
    assert war_room.resources(playbook)["chat_backup"] == "Microsoft Teams"
    assert war_room.resources(playbook)["chat"] == "Slack #incidents"


def test_an_api_and_database_incident_carries_both_runbooks(playbook: Playbook) -> None:
    found = war_room.runbooks(playbook, ["database", "api", "unknown"])
    assert [r["service"] for r in found] == ["database", "api"]
    assert found[0]["sections"][0]["title"] == "Database Operations"


def test_the_roles_read_by_name_with_their_holders(playbook: Playbook) -> None:
    holders = war_room.role_holders(playbook, {"incident_commander": "sre-lead"})
    assert holders == [
        {
            "role": "incident_commander",
            "role_name": playbook.roles["incident_commander"].name,
            "person": "sre-lead",
            "name": "SRE Team Lead",
        }
    ]


def test_the_roles_read_in_the_playbook_s_order_whatever_order_they_are_stored_in(
    playbook: Playbook,
) -> None:
    stored = {"technical_lead": "backend-lead", "incident_commander": "sre-lead"}
    assert [h["role"] for h in war_room.role_holders(playbook, stored)] == [
        "incident_commander",
        "technical_lead",
    ]
