"""The escalation harness for these tests."""

from tests.harness import harness  # noqa: F401
