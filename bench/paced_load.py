"""An open-loop load generator, run in its own process: POSTs one body to a URL at a fixed
rate for a fixed time over keep-alive connections, and prints one JSON line with the
latency of each request measured from the moment it was due to be sent (so a server that
falls behind is charged for the wait, not only for the requests it got to).

`python -m bench.paced_load URL RATE SECONDS BODY_TEMPLATE [HEADER ...]`: `{n}` in the
body is replaced by the request's number, `{k}` by that number modulo KEYS (a dedup key
that repeats, as bench.intake's single events repeat over 500). Bounded: RATE * SECONDS
requests in all.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

CONNECTIONS = 32
KEYS = 500


async def run(url: str, rate: float, seconds: float, body: str, headers: list[str]) -> None:
    parts = urlsplit(url)
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    next_request = iter(range(total))
    start = time.monotonic() + 0.2

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        for n in next_request:
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            payload = body.replace("{n}", str(n)).replace("{k}", str(n % KEYS)).encode()
            head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}",
                    "Content-Type: application/json", f"Content-Length: {len(payload)}",
                    *headers]  # fmt: skip
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
            status = await _response(reader)
            latencies.append(time.monotonic() - due)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    elapsed = time.monotonic() - start
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    print(json.dumps({
        "requests": len(latencies), "rate": len(latencies) / elapsed, "statuses": statuses,
        "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, "max_ms": max(latencies) * 1000,
    }))  # fmt: skip


async def _response(reader: asyncio.StreamReader) -> int:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(head.split(" ", 2)[1])


if __name__ == "__main__":
    url, rate, seconds, body, *headers = sys.argv[1:]
    asyncio.run(run(url, float(rate), float(seconds), body, headers))
