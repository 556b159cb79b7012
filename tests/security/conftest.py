"""A database that refuses writes, the same one the `ctx` fixture migrated: SQLite's file
opened read-only, PostgreSQL with `default_transaction_read_only` on this engine's sessions
only (the shared server's settings stay as they are)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from warroom.api.app import create_app
from warroom.logs import MASKED_LOGGERS, configure
from warroom.service.context import Context
from warroom.service.tokens import create_token
from warroom.store.session import Database


@pytest.fixture
def responder_token(ctx: Context) -> str:
    return create_token(ctx, "responder-token", "responder")


@pytest.fixture
def api(ctx: Context, responder_token: str) -> Iterator[TestClient]:
    """A responder's client on the writable database."""
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {responder_token}"
        yield client


@pytest.fixture
def read_only_db(ctx: Context) -> Iterator[Database]:
    url = ctx.db.url
    if ctx.db.is_sqlite:
        path = url.removeprefix("sqlite:///")
        database = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    else:
        options = {"options": "-c default_transaction_read_only=on"}
        database = Database(url, connect_args=options)
    yield database
    database.dispose()


@pytest.fixture
def read_only_api(
    ctx: Context, read_only_db: Database, responder_token: str
) -> Iterator[TestClient]:
    """A responder's client on a server whose database refuses writes."""
    read_only = Context(
        db=read_only_db, playbook=ctx.playbook, clock=ctx.clock, settings=ctx.settings
    )
    with TestClient(create_app(read_only), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {responder_token}"
        yield client


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """Logging as `warroom serve` configures it (uvicorn's loggers passing their lines to the
    root, whatever an earlier test's uvicorn set), its lines written here, not to stderr."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    uvicorn = [logging.getLogger(name) for name in ("uvicorn", *MASKED_LOGGERS)]
    saved_uvicorn = [(logger.handlers[:], logger.level, logger.propagate) for logger in uvicorn]
    for logger in uvicorn:
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    configure()
    lines = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(lines)
    yield lines
    root.handlers[:], level = saved
    root.setLevel(level)
    for logger, (handlers, level, propagate) in zip(uvicorn, saved_uvicorn, strict=True):
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        logger.filters.clear()
