"""Email delivery's transport (issue 21): Apprise's own `mailto://` send, which builds a new
plugin, SSL context and SMTP connection for every message, against warroom's (`notify.email`:
Apprise reads the URL, one SMTP connection kept per sending thread), both sending to the same
aiosmtpd server in its own process on 127.0.0.1, one after another in the same run, from
SENDS_IN_FLIGHT threads as delivery sends.

Run: `python -m bench email_transport` (env: BENCH_EMAIL_K=400 messages per transport).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import apprise

from bench.storm import free_port
from warroom.notify.delivery import SENDS_IN_FLIGHT, apprise_send
from warroom.notify.email import KeptConnections

K = int(os.environ.get("BENCH_EMAIL_K", "400"))
SUBJECT = "[warroom] Sev1 2026-12-07-001: Checkout down"
BODY = "Sev1 incident 2026-12-07-001, Checkout down.\nAcknowledge: http://127.0.0.1/ack/x\n" * 4


def main() -> None:
    port = free_port()
    count = multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(port, count, ready, stop), daemon=True)
    sink.start()
    ready.wait(30)
    try:
        url = f"mailto://127.0.0.1:{port}?from=warroom@example.org&to=oncall@example.org"
        apprise_s, _ = timed_sends(lambda n: _apprise_alone(url), K)
        kept = KeptConnections()
        pooled_s, _ = timed_sends(lambda n: apprise_send(url, SUBJECT, BODY, kept), K)
        got = count.value
    finally:
        stop.set()
        sink.join(10)
    print(
        f"{K} emails each, {SENDS_IN_FLIGHT} sending threads: Apprise mailto {K / apprise_s:.0f}"
        f" msg/s; warroom, a connection kept per thread {K / pooled_s:.0f} msg/s "
        f"({apprise_s / pooled_s:.1f}x); the server got {got} of {2 * K}",
        flush=True,
    )


def timed_sends(send: Callable[[int], object], count: int) -> tuple[float, float]:
    """`count` sends from SENDS_IN_FLIGHT threads, as delivery sends: wall and CPU seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(SENDS_IN_FLIGHT) as pool:
        list(pool.map(send, range(count)))
    return time.perf_counter() - wall, time.process_time() - cpu


def _apprise_alone(url: str) -> None:
    notifier = apprise.Apprise()
    notifier.add(url)
    if not notifier.notify(title=SUBJECT, body=BODY):
        raise RuntimeError("Apprise did not deliver")


def _sink(port: int, count: Any, ready: Any, stop: Any) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        stop.wait(3600)
    finally:
        controller.stop()
