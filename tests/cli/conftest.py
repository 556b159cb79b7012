"""CLI tests that drive the server reuse the API fixtures."""

from tests.api.conftest import api, app_client, tokens  # noqa: F401
