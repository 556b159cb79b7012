"""Slack's requests to warroom (SPEC §9): the `/incident` slash command and the buttons
of pages sent by direct message, each signed by Slack and verified with slack_sdk's
SignatureVerifier (a bad signature, or a timestamp more than 5 minutes off: 401)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from slack_sdk.signature import Clock, SignatureVerifier
from starlette.concurrency import run_in_threadpool

from warroom.api.chat_commands import answer
from warroom.api.deps import ContextDep
from warroom.core.chat_commands import REPLIES
from warroom.errors import WarroomError, error_body
from warroom.service.chat.callers import chat_caller
from warroom.service.chat.queue import chat_on
from warroom.service.context import Context
from warroom.service.incidents.links import acknowledge_link

PREFIX = "/api/v1/chat/slack/"
router = APIRouter(prefix="/api/v1/chat/slack", tags=["chat"])


class _ContextClock(Clock):
    """The verifier's clock is warroom's, so the 5-minute window moves with it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def now(self) -> float:
        return self.ctx.clock.now().timestamp()


@router.post("/commands", summary="The /incident slash command (Slack-signed)")
async def slash_command(request: Request, ctx: ContextDep) -> JSONResponse:
    form, refusal = await _verified_form(request, ctx)
    if refusal is not None:
        return refusal
    reply = await run_in_threadpool(_command_reply, ctx, form)
    return JSONResponse({"response_type": "ephemeral", "text": reply})


@router.post("/interactions", summary="Buttons on Slack messages (Slack-signed)")
async def interaction(request: Request, ctx: ContextDep) -> JSONResponse:
    form, refusal = await _verified_form(request, ctx)
    if refusal is not None:
        return refusal
    try:
        payload = json.loads(form.get("payload", ""))
    except ValueError:
        return _refused("payload is not JSON", "payload", 400)
    if not isinstance(payload, dict):
        return _refused("payload is not a JSON object", "payload", 400)
    reply = await run_in_threadpool(_button_reply, ctx, payload)
    return JSONResponse({"response_type": "ephemeral", "replace_original": False, "text": reply})


def _command_reply(ctx: Context, form: dict[str, str]) -> str:
    user_id, user_name = form.get("user_id", ""), form.get("user_name")
    caller = ctx.read(
        chat_caller, channel_id=form.get("channel_id", ""), user_id=user_id, user_name=user_name
    )
    return answer(ctx, caller, form.get("text", ""), f"<@{user_id}>" if user_id else "you")


def _button_reply(ctx: Context, payload: dict[str, Any]) -> str:
    """The Acknowledge button of a page sent by DM: its value is the page's signed ack
    token, so it acknowledges what the page's link would (SPEC §3a)."""
    user = payload.get("user") or {}
    actions = payload.get("actions") or [{}]
    action = actions[0] if isinstance(actions, list) and actions else {}
    user_id = str(user.get("id", "")) if isinstance(user, dict) else ""
    name = user.get("username") if isinstance(user, dict) else None
    caller = ctx.read(chat_caller, channel_id="", user_id=user_id, user_name=name)
    if caller.person is None:
        return REPLIES["unknown_user"](who=f"<@{user_id}>")
    if not isinstance(action, dict) or action.get("action_id") != "acknowledge":
        return REPLIES["refused"](reason="this button does nothing")
    try:
        view = ctx.transact(acknowledge_link, str(action.get("value", "")))
    except WarroomError as refused:
        return REPLIES["refused"](reason=refused.message)
    return REPLIES["done"](name="ack", reference=view.reference)


async def _verified_form(
    request: Request, ctx: Context
) -> tuple[dict[str, str], JSONResponse | None]:
    access = chat_on(ctx)
    if access is None or access.signing_secret is None:
        return {}, _refused("chat is off: no Slack token or signing secret", "chat", 404)
    body = await request.body()
    verifier = SignatureVerifier(access.signing_secret, clock=_ContextClock(ctx))
    timestamp = request.headers.get("x-slack-request-timestamp")
    signature = request.headers.get("x-slack-signature")
    try:
        valid = verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number
        valid = False
    if not valid:
        return {}, _refused("bad or stale Slack signature", "x-slack-signature", 401)
    try:
        return dict(parse_qsl(body.decode())), None
    except UnicodeDecodeError:
        return {}, _refused("the body is not UTF-8 form data", "body", 400)


def _refused(message: str, field: str, status: int) -> JSONResponse:
    return JSONResponse(error_body(message, field), status_code=status)
