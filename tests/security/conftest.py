"""The API fixtures (app_client, tokens, api), and a database that refuses writes, the
same one the `ctx` fixture migrated: SQLite's file
opened read-only, PostgreSQL with `default_transaction_read_only` on this engine's sessions
only (the shared server's settings stay as they are)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import api, app_client, tokens
from warroom.api.app import create_app
from warroom.logs import MASKED_LOGGERS, configure
from warroom.service.context import Context
from warroom.store.session import Database

__all__ = ["api", "app_client", "tokens"]


@pytest.fixture
def responder_token(tokens: dict[str, str]) -> str:
    return tokens["responder"]


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
