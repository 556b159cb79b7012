"""A drill runs the real policy but is no incident: /metrics does not count it."""

from __future__ import annotations

from fastapi.testclient import TestClient

# what requests themselves move (their latency, SQLite's writer time), not what they declare
MOVED_BY_ANY_REQUEST = ("warroom_http_", "warroom_sqlite_writer_")


def _counted(api: TestClient) -> list[str]:
    lines = api.get("/metrics").text.splitlines()
    return [
        line
        for line in lines
        if line.startswith("warroom_") and not line.startswith(MOVED_BY_ANY_REQUEST)
    ]


def test_a_drill_leaves_metrics_unchanged(api: TestClient) -> None:
    before = _counted(api)
    drill = {"title": "Game day: checkout down", "severity": 1, "drill": True}
    assert api.post("/api/v1/incidents", json=drill).status_code == 201
    assert _counted(api) == before


def test_a_real_incident_is_counted(api: TestClient) -> None:
    before = _counted(api)
    real = {"title": "Checkout down", "severity": 1}
    assert api.post("/api/v1/incidents", json=real).status_code == 201
    assert _counted(api) != before
    assert 'warroom_incidents_declared_total{severity="1"} 1.0' in _counted(api)
