"""The floor under single-event intake: the least an HTTP endpoint in this stack does
(FastAPI on uvicorn, reading the JSON body and answering 202), served as `warroom serve`
serves, so that what it can take on this machine bounds what warroom's PagerDuty endpoint
can. `bench.intake_limits` runs it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/v2/enqueue")
async def enqueue(request: Request) -> JSONResponse:
    event: dict[str, Any] = await request.json()
    return JSONResponse({"status": "success", "dedup_key": event.get("dedup_key")}, 202)
