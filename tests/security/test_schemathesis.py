"""Every operation in /openapi.json, fed what its schema allows and what it does not: no
answer is a 5xx (SPEC §10: no input makes a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 25


def test_no_request_the_openapi_describes_gets_a_5xx(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app_client.app)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    declared = app_client.post(
        "/api/v1/incidents", json={"title": "API down", "severity": 1}, headers=auth
    )
    reference = declared.json()["reference"]  # so routes on an incident go past the 404
    failures: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def probe(case: Any) -> None:
            if "reference" in (case.path_parameters or {}):
                case.path_parameters["reference"] = reference
            response = case.call(headers=auth)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text}"
            )

        try:
            probe()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert failures == []


def test_no_sequence_of_requests_the_openapi_links_gets_a_5xx(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    """Stateful: schemathesis chains the operations along the links it infers (declare, then
    act on the incident it made; list action items, then patch one), so later calls meet the
    state earlier ones left, with no answer a 5xx."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app_client.app)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}

    class Chained(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": auth}

        def validate_response(self, response: Any, case: Any, **_: Any) -> None:
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text}"
            )

    run_state_machine_as_test(
        Chained,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
