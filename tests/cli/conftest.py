"""CLI tests that drive the server reuse the API fixtures; `cli` runs commands against a
real server for `ctx`, signed in as a responder token named "cli"."""

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from tests.api.conftest import api, app_client, tokens  # noqa: F401
from tests.server import running_server
from warroom.service.context import Context
from warroom.service.tokens import create_token


@pytest.fixture
def cli(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    token = ctx.transact(create_token, "cli", "responder")
    with running_server(ctx) as url:
        monkeypatch.setenv("WARROOM_URL", url)
        monkeypatch.setenv("WARROOM_TOKEN", token)
        yield CliRunner()
