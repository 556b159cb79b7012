"""Webhook pages reuse their thread's Apprise notifier; a throttled service's is made for
each message, so no kept notifier ever sleeps between pages."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from warroom.notify.delivery import DeliveryError, apprise_send
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


def test_a_webhook_server_that_never_answers_fails_the_page_at_its_read_timeout() -> None:
    """Without Apprise's own service deadline, the plugin's socket timeouts bound a send
    (here `rto`, Apprise's read timeout, shortened for the test)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"json://127.0.0.1:{silent.getsockname()[1]}/p/ic?rto=0.3"
        threads, started = set(threading.enumerate()), time.monotonic()
        with pytest.raises(DeliveryError):
            apprise_send(url, "Sev1", "checkout down", None, KeptNotifiers())
        assert time.monotonic() - started < 10, "the read timeout ended the send"
        assert set(threading.enumerate()) <= threads, "sent on this thread, not Apprise's pool"
