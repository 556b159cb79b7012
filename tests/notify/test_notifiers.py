"""Webhook pages reuse their thread's Apprise notifier; a throttled service's is made for
each message, so no kept notifier ever sleeps between pages."""

from __future__ import annotations

import threading

import pytest

from warroom.notify.notifiers import KeptNotifiers, NotifierRejected

WEBHOOK = "json://127.0.0.1:9/p/ic"
THROTTLED = "slack://T1/B1/C1"  # Apprise waits 1.2 s between two Slack calls of one plugin


def test_pages_to_one_webhook_from_one_thread_share_its_notifier() -> None:
    kept = KeptNotifiers()
    assert kept.notifier(WEBHOOK) is kept.notifier(WEBHOOK)


def test_each_sending_thread_has_a_notifier_of_its_own() -> None:
    kept = KeptNotifiers()
    mine = kept.notifier(WEBHOOK)
    theirs = []
    other = threading.Thread(target=lambda: theirs.append(kept.notifier(WEBHOOK)))
    other.start()
    other.join()
    assert theirs[0] is not mine


def test_a_throttled_service_gets_a_new_notifier_for_every_message() -> None:
    kept = KeptNotifiers()
    assert kept.notifier(THROTTLED) is not kept.notifier(THROTTLED)


def test_a_url_apprise_cannot_read_is_rejected() -> None:
    with pytest.raises(NotifierRejected):
        KeptNotifiers().notifier("nosuchservice://x")
