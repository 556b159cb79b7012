"""Health, readiness, metrics and the OpenAPI document are open to all."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_and_readyz_answer_without_a_token(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    assert app_client.get("/readyz").json()["database"] == "reachable"


def test_metrics_count_open_incidents_by_severity_and_request_latency(api: TestClient) -> None:
    api.post("/api/v1/incidents", json={"title": "API down", "severity": 1})
    api.post("/api/v1/incidents", json={"title": "Slow", "severity": 3})
    text = api.get("/metrics").text
    assert 'warroom_incidents_open{severity="1"} 1.0' in text
    assert 'warroom_incidents_declared_total{severity="3"} 1.0' in text
    assert (
        'warroom_http_request_duration_seconds_count{method="POST",route="/api/v1/incidents"'
        in text
    )


def test_on_sqlite_metrics_say_how_long_threads_waited_for_and_held_the_single_writer(
    api: TestClient,
) -> None:
    api.post("/api/v1/incidents", json={"title": "API down", "severity": 1})
    text = api.get("/metrics").text
    if not api.app.state.context.db.is_sqlite:
        assert "warroom_sqlite_writer" not in text
        return
    assert "warroom_sqlite_writer_held_seconds_total{thread=" in text
    assert "warroom_sqlite_writer_wait_seconds_total{thread=" in text


def test_the_openapi_document_lists_the_incident_routes(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    assert "/api/v1/incidents/{reference}/acknowledge" in paths
    assert app_client.get("/docs").status_code == 200


def test_alert_senders_requests_are_timed_with_the_rest(app_client: TestClient) -> None:
    """Intake POSTs are answered ahead of FastAPI's layers, yet land in the same histogram."""
    app_client.post("/v2/enqueue", json={"routing_key": "not-a-key"})
    app_client.get("/healthz")
    text = app_client.get("/metrics").text
    assert 'method="POST",route="/v2/enqueue",status="401"' in text
    assert 'method="GET",route="/healthz",status="200"' in text
