"""The timeline reads as sentences: names, not ids; what happened to a page, not its key."""

from __future__ import annotations

from warroom.core.incident import EventKind
from warroom.core.playbook import Playbook
from warroom.core.timeline_text import SENTENCES, sentence


def test_a_page_with_no_channel_reads_as_recorded_for_the_person_by_name(
    playbook: Playbook,
) -> None:
    data = {
        "message": "page:incident_commander:sre-lead:0",
        "kind": "page",
        "person": "sre-lead",
        "method": "phone",
        "address": "+1-555-0101",
        "attempt": 1,
        "delivery": "recorded",
    }
    text = sentence(playbook, "page_sent", "warroom", data)
    assert text == "Paged SRE Team Lead by phone (+1-555-0101): recorded, no channel configured"


def test_the_declaration_names_its_severity_and_says_nothing_of_defaults(
    playbook: Playbook,
) -> None:
    data = {
        "title": "Checkout failing",
        "severity": 1,
        "services": ["api"],
        "roles": {"incident_commander": "sre-lead"},
        "source": "manual",
        "drill": False,
        "retrospective": False,
    }
    assert sentence(playbook, "declared", "alice", data) == (
        "Declared Sev1 (Critical): Checkout failing; services api"
    )


def test_role_changes_and_escalations_name_people_and_levels(playbook: Playbook) -> None:
    assigned = {"role": "incident_commander", "person": "eng-manager", "previous": "sre-lead"}
    assert sentence(playbook, "role_assigned", "alice", assigned) == (
        "Engineering Manager is now Incident Commander (IC) (was SRE Team Lead)"
    )
    escalated = {"level": "cto", "trigger": "no acknowledgement within 15m"}
    assert sentence(playbook, "escalated", "warroom", escalated).startswith("Escalated to cto (")


def test_an_acknowledgement_without_a_person_names_the_actor(playbook: Playbook) -> None:
    assert sentence(playbook, "acknowledged", "sre-lead", {"person": None}) == (
        "Acknowledged by SRE Team Lead"
    )


def test_an_event_its_template_cannot_read_still_shows_its_fields(playbook: Playbook) -> None:
    assert sentence(playbook, "something_new", "x", {"count": 2, "note": "hi"}) == (
        "Something new: count 2; note hi"
    )
    assert sentence(playbook, "severity_changed", "x", {"reason": "worse"}) == (
        "Severity changed: reason worse"
    )


def test_every_event_kind_has_a_sentence() -> None:
    assert {kind.value for kind in EventKind} <= set(SENTENCES)
