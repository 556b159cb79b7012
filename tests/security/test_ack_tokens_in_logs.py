"""An acknowledgement link acts for whoever holds it: its token never reaches a log line."""

from __future__ import annotations

import io
import logging
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from warroom.service.context import Context
from warroom.store.models import OutboxMessage


def _ack_link_of_the_first_page(api: TestClient, ctx: Context) -> str:
    declared = api.post("/api/v1/incidents", json={"title": "Checkout down", "severity": 1})
    assert declared.status_code == 201
    with ctx.db.reader() as session:
        bodies = session.execute(select(OutboxMessage.body)).scalars().all()
    links = [match.group(0) for body in bodies if (match := re.search(r"/ack/\S+", body))]
    assert links, bodies
    return links[0]


def test_an_ack_link_that_meets_a_read_only_database_logs_no_token(
    api: TestClient, ctx: Context, read_only_api: TestClient, server_log: io.StringIO
) -> None:
    link = _ack_link_of_the_first_page(api, ctx)
    token = link.removeprefix("/ack/")
    assert read_only_api.post(link).status_code == 503
    log = server_log.getvalue()
    assert "path=/ack/***" in log
    assert token not in log


def test_the_unhandled_error_line_names_the_ack_route_without_its_token(
    server_log: io.StringIO,
) -> None:
    logging.getLogger("warroom.api").error("event=unhandled_error path=%s", "/ack/abc.s3cr3t")
    log = server_log.getvalue()
    assert "event=unhandled_error path=/ack/***" in log
    assert "s3cr3t" not in log


def test_uvicorns_access_line_shows_no_ack_token(server_log: io.StringIO) -> None:
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "POST", "/ack/abc.s3cr3t?x=1", "1.1", 200
    )
    log = server_log.getvalue()
    assert '"POST /ack/***?x=1 HTTP/1.1" 200' in log
    assert "s3cr3t" not in log


def test_uvicorns_own_handlers_get_the_mask_too(server_log: io.StringIO) -> None:
    """uvicorn's default logging config gives its loggers handlers of their own."""
    lines = io.StringIO()
    access = logging.getLogger("uvicorn.access")
    own = logging.StreamHandler(lines)
    access.addHandler(own)
    try:
        access.warning("%s %s", "GET", "/ack/abc.s3cr3t")
    finally:
        access.removeHandler(own)
    assert lines.getvalue().strip() == "GET /ack/***"
