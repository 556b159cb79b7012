from tests.api.conftest import app_client  # noqa: F401
