"""Request dependencies: the app's context and the caller behind the bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from warroom.errors import Unauthorized, error_body
from warroom.service.context import Context
from warroom.service.tokens import Caller, authenticate

_bearer = HTTPBearer(auto_error=False, description="An API token from `warroom token create`")
INTEGRATIONS = "/api/v1/integrations/"  # integration keys, checked by intake
SLACK = "/api/v1/chat/slack/"  # Slack signs its requests: checked by the chat routes


def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


async def bearer_gate(scope: Scope) -> Response | None:
    """An API request shows a valid token before its body is read; `require` reuses the
    caller found here."""
    if scope["path"].startswith((INTEGRATIONS, SLACK)):
        return None
    request = Request(scope)
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    try:
        caller = await run_in_threadpool(
            get_context(request).read,
            authenticate,
            secret.strip() if scheme.lower() == "bearer" else None,
        )
    except Unauthorized as exc:
        return JSONResponse(error_body(exc.message, exc.field), status_code=exc.status_code)
    request.state.caller = caller
    return None


def require(role: str) -> Callable[..., Caller]:
    def dependency(
        request: Request,
        ctx: Annotated[Context, Depends(get_context)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        caller: Caller | None = getattr(request.state, "caller", None)
        if caller is None:
            caller = ctx.read(authenticate, credentials.credentials if credentials else None)
        caller.require(role)
        return caller

    return dependency


ContextDep = Annotated[Context, Depends(get_context)]
Viewer = Annotated[Caller, Depends(require("viewer"))]
Responder = Annotated[Caller, Depends(require("responder"))]
Admin = Annotated[Caller, Depends(require("admin"))]
