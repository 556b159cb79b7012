"""Apprise notifiers made once per sending thread and URL, for the services Apprise never
throttles (webhooks, JSON, form, XML, Discord: `request_rate_per_sec` 0). Reading the URL
and making its plugin was more than half of a webhook page's CPU under a burst
(bench/MEASUREMENTS.md). A throttled service's notifier is made afresh for each message, as
before: a kept one would sleep between messages for the service's rate.
"""

from __future__ import annotations

import threading
from typing import Any

import apprise

KEPT_PER_THREAD = 256  # URLs; the oldest made goes first
# No service deadline of Apprise's own (its default is 60 s): with one, Apprise hands every
# message to a thread pool of its own to enforce it, a second thread hop a message. Each send
# is already on a sending thread of warroom's, bounded by the plugin's socket timeouts, and
# a lease guards the message.
ASSET = apprise.AppriseAsset(service_timeout=0)


class NotifierRejected(Exception):
    """Apprise cannot read the URL."""


class KeptNotifiers:
    """Each sending thread's notifiers by URL (a plugin instance is not shared between
    threads: its throttle clock and its logger are its own)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def notifier(self, url: str) -> apprise.Apprise:
        """The thread's notifier for `url`: kept when its service is never throttled."""
        kept: dict[str, apprise.Apprise] = self._local.__dict__.setdefault("by_url", {})
        found = kept.get(url)
        if found is not None:
            return found
        made = fresh_notifier(url)
        if all(server.request_rate_per_sec <= 0 for server in made):
            if len(kept) >= KEPT_PER_THREAD:
                kept.pop(next(iter(kept)))
            kept[url] = made
        return made


def fresh_notifier(url: str) -> apprise.Apprise:
    """A new Apprise notifier for one URL; NotifierRejected when Apprise cannot read it."""
    notifier = apprise.Apprise(asset=ASSET)
    plugin: Any = apprise.Apprise.instantiate(url, asset=ASSET)
    if plugin is None or not notifier.add(plugin):
        raise NotifierRejected(url)
    return notifier
