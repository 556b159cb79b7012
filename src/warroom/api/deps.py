"""Request dependencies: the app's context and the caller behind the bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from warroom.service.context import Context
from warroom.service.tokens import Caller, authenticate

_bearer = HTTPBearer(auto_error=False, description="An API token from `warroom token create`")


def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


def require(role: str) -> Callable[..., Caller]:
    def dependency(
        ctx: Annotated[Context, Depends(get_context)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        caller = authenticate(ctx, credentials.credentials if credentials else None)
        caller.require(role)
        return caller

    return dependency


ContextDep = Annotated[Context, Depends(get_context)]
Viewer = Annotated[Caller, Depends(require("viewer"))]
Responder = Annotated[Caller, Depends(require("responder"))]
Admin = Annotated[Caller, Depends(require("admin"))]
