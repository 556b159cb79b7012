"""The scheduler's threads: each kind of work loops in threads of its own, polling the
database only as often as the work needs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("warroom.scheduler")

HELPER_IDLE_S = 2.0  # a helper loop's own poll, when its lead finds no full batch


def crowd(
    step: Callable[[], int],
    name: str,
    size: int,
    full: int,
    stop: threading.Event,
    idle_sleep: float,
    helper_idle: float = HELPER_IDLE_S,
) -> list[threading.Thread]:
    """One lead loop polling every `idle_sleep`, and `size - 1` helpers that join in while
    the work comes in full batches: an idle server polls the database once per kind of
    work, not once per thread. Helpers also poll every `helper_idle` on their own, so work
    waits no longer than that while the lead is held up by a slow handler or send."""
    crowded = threading.Event()

    def lead() -> int:
        done = step()
        if done >= full:
            crowded.set()
        return done

    def helper() -> int:
        done = step()
        if not done:
            crowded.clear()
        return done

    # the lead, once stopped, wakes the helpers so that they see the stop too
    return [thread(lead, f"{name}-0", stop, idle_sleep, stop, then=crowded.set)] + [
        thread(helper, f"{name}-{n}", stop, helper_idle, crowded) for n in range(1, size)
    ]


def thread(
    step: Callable[[], int],
    name: str,
    stop: threading.Event,
    idle_sleep: float,
    wake: threading.Event,
    then: Callable[[], object] = lambda: None,
) -> threading.Thread:
    def run() -> None:
        _loop(step, stop, idle_sleep, name, wake)
        then()

    return threading.Thread(target=run, name=f"warroom-{name}", daemon=True)


def _loop(
    step: Callable[[], int],
    stop: threading.Event,
    idle_sleep: float,
    name: str,
    wake: threading.Event,
) -> None:
    """Run `step` until `stop`; when it found nothing, wait `idle_sleep` or until `wake`."""
    while not stop.is_set():
        try:
            busy = step()
        except Exception:  # the database went away: log, wait, carry on
            log.exception("scheduler loop failed loop=%s", name)
            busy = 0
        if not busy:
            wake.wait(idle_sleep)
