"""One place that turns failures into JSON answers: a message, the field, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from warroom.errors import WarroomError, error_body
from warroom.logs import fields
from warroom.store.availability import database_message, is_unavailable

log = logging.getLogger("warroom.api")
RETRY_AFTER_SECONDS = "5"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WarroomError)
    async def _domain(_request: Request, exc: WarroomError) -> JSONResponse:
        return JSONResponse(error_body(exc.message, exc.field), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_describe(err) for err in exc.errors()]
        first: dict[str, Any] = (
            problems[0] if problems else {"field": None, "message": "invalid request"}
        )
        status = 400 if any(err.get("type") == "json_invalid" for err in exc.errors()) else 422
        return JSONResponse(
            error_body(first["message"], first["field"], problems=problems), status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(str(exc.detail), None), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        return _failure(request, exc)

    # errors raised outside the routes (in a middleware) reach only this handler
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _failure(request, exc)


def _failure(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After when the database is down or refuses writes; else a logged 500."""
    if not is_unavailable(exc):
        log.exception("event=unhandled_error path=%s", request.url.path)
        return JSONResponse(error_body("internal error; see the server log", None), 500)
    log.warning(
        fields(event="database_unavailable", path=request.url.path, error=database_message(exc))
    )
    return JSONResponse(
        error_body("the database is unavailable; try again shortly", None),
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def _describe(err: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or None
    if err.get("type") == "json_invalid":
        return {"field": None, "message": f"malformed JSON: {err.get('ctx', {}).get('error', '')}"}
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return {"field": field, "message": f"{field}: {message}" if field else message}
