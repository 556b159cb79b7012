"""The post-mortem's draft reads as the incident does: its Timeline of Events in the
timeline's sentences."""

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
