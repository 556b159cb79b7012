from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from warroom.api.app import create_app
from warroom.service.context import Context
from warroom.service.tokens import create_token


@pytest.fixture
def app_client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def tokens(ctx: Context) -> dict[str, str]:
    return {
        role: ctx.transact(create_token, f"{role}-token", role)
        for role in ("viewer", "responder", "admin")
    }


@pytest.fixture
def api(app_client: TestClient, tokens: dict[str, str]) -> TestClient:
    """A client that acts as a responder."""
    app_client.headers["Authorization"] = f"Bearer {tokens['responder']}"
    return app_client
