"""The schedule routes fed what their schema allows and what it does not, on a playbook
that has a schedule (the built-in one has none, so there they all stop at a 404): no
answer is a 5xx (SPEC §10)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.schedule_playbook import scheduled_playbook
from warroom.clock import ManualClock
from warroom.service.context import Context
from warroom.settings import Settings
from warroom.store.session import Database

schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture
def ctx(db: Database, clock: ManualClock, settings: Settings) -> Context:
    return Context(db=db, playbook=scheduled_playbook(), clock=clock, settings=settings)


def test_no_request_to_a_schedule_route_gets_a_5xx(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app_client.app)
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    failures: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()
        if "schedule" not in operation.path and "calendar" not in operation.path:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def probe(case: Any) -> None:
            if "schedule_id" in (case.path_parameters or {}):
                case.path_parameters["schedule_id"] = "sre-oncall"
            response = case.call(headers=auth)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.text}"
            )

        try:
            probe()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert failures == []
