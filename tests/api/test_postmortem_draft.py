"""The post-mortem's draft reads as the incident does: its Timeline of Events in the
timeline's sentences, and the resolution's prevention carried into the analysis and
proposed as an action item until one takes it up."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_postmortem_json import declared_sev2, resolve, resolved_sev2
from warroom.clock import ManualClock


def postmortem_markdown(api: TestClient, ref: str) -> str:
    response = api.get(f"/api/v1/incidents/{ref}/postmortem")
    assert response.status_code == 200, response.text
    return response.text


def section(markdown: str, name: str) -> str:
    return markdown.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0].strip()


def test_the_prevention_is_in_the_root_cause_analysis_and_proposed_as_an_action_item(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved_sev2(api, clock, root_cause="A missing index", prevention="Index checks in CI")
    markdown = postmortem_markdown(api, ref)
    assert "**Prevention (proposed at resolution):** Index checks in CI" in section(
        markdown, "Root Cause Analysis"
    )
    assert section(markdown, "Action Items") == (
        "No action items yet. Assign owners and due dates for each follow-up.\n\n"
        "**Proposed at resolution:** Index checks in CI — not yet an action item:"
        " give it an owner and a due date."
    )


def test_the_proposal_gives_way_once_an_action_item_takes_it_up(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved_sev2(api, clock, prevention="Index checks in CI")
    item = {"title": "index checks in CI", "owner": "dba", "due": "7d"}
    assert api.post(f"/api/v1/incidents/{ref}/action-items", json=item).status_code == 201
    actions = section(postmortem_markdown(api, ref), "Action Items")
    assert "index checks in CI" in actions and "Proposed at resolution" not in actions


def test_a_resolution_without_prevention_proposes_nothing(
    api: TestClient, clock: ManualClock
) -> None:
    markdown = postmortem_markdown(api, resolved_sev2(api, clock))
    assert "Prevention" not in markdown and "Proposed at resolution" not in markdown


def test_a_second_resolution_without_prevention_keeps_the_first_proposal(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved_sev2(api, clock, prevention="Index checks in CI")
    api.post(f"/api/v1/incidents/{ref}/reopen", json={"reason": "errors are back"})
    resolve(api, ref)
    assert "Index checks in CI" in section(postmortem_markdown(api, ref), "Action Items")


def test_the_resolution_message_carries_the_prevention(api: TestClient, clock: ManualClock) -> None:
    ref = resolved_sev2(api, clock, prevention="Index checks in CI")
    message = api.get(f"/api/v1/incidents/{ref}/messages/resolution").text
    assert "Prevention: Index checks in CI" in message


def test_the_timeline_of_events_reads_as_the_incident_page_does(
    api: TestClient, clock: ManualClock
) -> None:
    ref = resolved_sev2(api, clock, prevention="Index checks in CI")
    rows = section(postmortem_markdown(api, ref), "Timeline of Events").splitlines()
    assert rows[:2] == ["| Time (UTC) | Who | What |", "|---|---|---|"]
    assert rows[2] == (
        "| 2024-01-15 10:00:00 UTC | responder-token"
        " | Declared Sev2 (High): Checkout errors; services api |"
    )
    assert rows[3] == (
        "| 2024-01-15 10:05:00 UTC | responder-token | Acknowledged by SRE Team Lead |"
    )
    assert rows[-1] == (
        "| 2024-01-15 10:35:00 UTC | warroom"
        " | Post-mortem opened for SRE Team Lead, due 2024-01-17 10:35 UTC |"
    )


def test_a_pipe_or_line_break_in_an_event_stays_inside_its_table_cell(
    api: TestClient, clock: ManualClock
) -> None:
    ref = declared_sev2(api)
    update = {"message": "p99 | p50 both up\nwatching"}
    assert api.post(f"/api/v1/incidents/{ref}/updates", json=update).status_code == 201
    resolve(api, ref)
    rows = section(postmortem_markdown(api, ref), "Timeline of Events").splitlines()
    assert "| responder-token | Internal update: p99 \\| p50 both up watching |" in rows[3]
