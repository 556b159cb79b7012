"""A database that refuses writes: the server says so (503, Retry-After), never a 500, and
its log carries the database's own words."""

from __future__ import annotations

import io
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError

from warroom.logs import KeyValueFormatter
from warroom.store.session import Database

# what SQLite and PostgreSQL say when a write meets a read-only database
REFUSALS = ("attempt to write a readonly database", "in a read-only transaction")


def test_readyz_is_ready_when_the_database_takes_writes(api: TestClient) -> None:
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "reachable"


def test_readyz_answers_503_with_retry_after_on_a_database_that_refuses_writes(
    read_only_api: TestClient,
) -> None:
    response = read_only_api.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert any(refusal in response.json()["database"] for refusal in REFUSALS)


def test_declaring_an_incident_on_a_read_only_database_answers_503_with_retry_after(
    read_only_api: TestClient,
) -> None:
    response = read_only_api.post("/api/v1/incidents", json={"title": "API down", "severity": 1})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "database is unavailable" in response.json()["error"]["message"]


def test_reads_still_work_on_a_read_only_database(
    api: TestClient, read_only_api: TestClient
) -> None:
    api.post("/api/v1/incidents", json={"title": "API down", "severity": 1})
    response = read_only_api.get("/api/v1/incidents")
    assert response.status_code == 200
    assert [incident["title"] for incident in response.json()] == ["API down"]


def test_the_log_of_a_refused_write_carries_the_databases_message_not_a_documentation_link(
    read_only_api: TestClient, server_log: io.StringIO
) -> None:
    read_only_api.post("/api/v1/incidents", json={"title": "API down", "severity": 1})
    log = server_log.getvalue()
    assert "event=database_unavailable" in log
    assert any(refusal in log for refusal in REFUSALS)
    assert "sqlalche.me" not in log


def test_a_logged_database_exception_shows_the_drivers_message(read_only_db: Database) -> None:
    with pytest.raises(DBAPIError) as refused:
        read_only_db.probe_write()
    exc = refused.value
    record = logging.LogRecord(
        "warroom.scheduler",
        logging.ERROR,
        __file__,
        1,
        "event=tick_failed",
        (),
        (type(exc), exc, exc.__traceback__),
    )
    line = KeyValueFormatter().format(record)
    assert any(refusal in line for refusal in REFUSALS)
    assert "sqlalche.me" not in line
