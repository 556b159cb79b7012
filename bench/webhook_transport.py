"""Webhook delivery's transport (issue 21): a new Apprise notifier for every message (what
delivery did: the URL read and its plugin made each time) against warroom's (`notify.notifiers`:
one notifier kept per sending thread and URL), with httpx on a keep-alive connection as the
floor, all posting to the storm bench's webhook receiver in its own process on 127.0.0.1, one
after another in the same run, from SENDS_IN_FLIGHT threads as delivery sends. Prints each
one's messages/s and the CPU this process spent a message.

Run: `python -m bench webhook_transport` (env: BENCH_WEBHOOK_K=1000 messages per transport).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
from pathlib import Path

import apprise
import httpx

from bench.email_transport import timed_sends
from bench.storm import _hook_sink, free_port, records
from warroom.notify.delivery import SENDS_IN_FLIGHT, apprise_send
from warroom.notify.notifiers import KeptNotifiers

K = int(os.environ.get("BENCH_WEBHOOK_K", "1000"))
SUBJECT = "[warroom] Sev1 2026-12-07-001: Checkout down"
BODY = "Sev1 incident 2026-12-07-001, Checkout down.\nAcknowledge: http://127.0.0.1/ack/x\n" * 4


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "hook.log"
        ready, stop = multiprocessing.Event(), multiprocessing.Event()
        sink = multiprocessing.Process(
            target=_hook_sink, args=(port, str(log), ready, stop), daemon=True
        )
        sink.start()
        ready.wait(30)
        try:
            url = f"json://127.0.0.1:{port}/p/ic.webhook"
            fresh = timed_sends(lambda n: _apprise_fresh(url), K)
            kept = KeptNotifiers()
            warroom = timed_sends(lambda n: apprise_send(url, SUBJECT, BODY, None, kept), K)
            floor = _httpx_floor(port)
        finally:
            stop.set()
            sink.join(10)
        got = len(records(log))
    print(
        f"{K} webhook POSTs each, {SENDS_IN_FLIGHT} sending threads: a new Apprise notifier "
        f"each {_say(fresh)}; warroom, a notifier kept per thread {_say(warroom)} "
        f"({fresh[1] / warroom[1]:.1f}x less CPU); httpx keep-alive floor {_say(floor)}; "
        f"the receiver got {got} of {3 * K}",
        flush=True,
    )


def _say(figures: tuple[float, float]) -> str:
    wall, cpu = figures
    return f"{K / wall:.0f} msg/s, {cpu * 1000 / K:.2f} ms CPU a message"


def _apprise_fresh(url: str) -> None:
    notifier = apprise.Apprise()
    notifier.add(url)
    if not notifier.notify(title=SUBJECT, body=BODY):
        raise RuntimeError("Apprise did not deliver")


def _httpx_floor(port: int) -> tuple[float, float]:
    local = threading.local()
    clients: list[httpx.Client] = []
    payload = {"version": "1.0", "title": SUBJECT, "message": BODY, "type": "info"}

    def post(n: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
            clients.append(local.client)
        local.client.post("/p/ic.webhook", json=payload).raise_for_status()

    try:
        return timed_sends(post, K)
    finally:
        for client in clients:
            client.close()
