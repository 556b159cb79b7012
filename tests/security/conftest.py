"""Security probes drive the server through the API fixtures."""

from tests.api.conftest import api, app_client, tokens  # noqa: F401
