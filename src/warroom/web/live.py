"""The incident page updates itself: a Server-Sent Events stream that says `changed` each
time the incident's timeline grows, and the page's script fetches it afresh and swaps the
parts that show state (never a form being typed in)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from warroom.api.deps import ContextDep
from warroom.errors import WarroomError
from warroom.service.incidents.watch import event_count
from warroom.web.sessions import UiSession

POLL_SECONDS = 1.0  # how soon a page sees a change: one indexed read per open page per poll
STREAM_SECONDS = 300.0  # then the browser reconnects, and the session is checked again
RECONNECT_MS = 2000

router = APIRouter()


@router.get("/ui/incidents/{reference}/events", response_class=EventSourceResponse)
async def incident_events(
    reference: str, request: Request, ctx: ContextDep, session: UiSession
) -> AsyncIterator[ServerSentEvent]:
    """`changed` with the timeline's event count: once on connecting, then on each change."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_SECONDS
    seen: int | None = None
    while loop.time() < ends and not await request.is_disconnected():
        try:
            count = await run_in_threadpool(ctx.read, event_count, reference)
        except WarroomError:
            yield ServerSentEvent(event="gone", data={"reference": reference})
            return
        if count != seen:
            seen = count
            yield ServerSentEvent(event="changed", data={"events": count}, retry=RECONNECT_MS)
        await asyncio.sleep(POLL_SECONDS)
