"""The API fixtures (app_client, tokens, api) for the security probes."""

from tests.api.conftest import api, app_client, tokens

__all__ = ["api", "app_client", "tokens"]
