"""Domain errors: a message a responder can act on, the field at fault, and an HTTP status.

Adapters map them: the API to a JSON 4xx, the CLI to exit 1 with the message on stderr.
"""

from __future__ import annotations

from typing import Any


def error_body(message: str, field: str | None, **extra: Any) -> dict[str, Any]:
    """The JSON every 4xx carries: `{"error": {"message", "field", ...}}`."""
    return {"error": {"message": message, "field": field, **extra}}


class WarroomError(Exception):
    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(WarroomError):
    status_code = 422


class NotFound(WarroomError):
    status_code = 404


class Conflict(WarroomError):
    """The request is well-formed but the incident's state forbids it."""

    status_code = 409


class Unauthorized(WarroomError):
    status_code = 401


class Forbidden(WarroomError):
    status_code = 403
