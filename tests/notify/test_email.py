"""Email pages over a kept connection, against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.e2e.loopback import free_port
from warroom.notify.delivery import DeliveryError, apprise_send
from warroom.notify.email import KeptConnections


@contextmanager
def mail_server(drop_after_each: bool = False) -> Iterator[tuple[int, list[Any], list[str]]]:
    """The server's received envelopes and the connections it saw (one EHLO each)."""
    received: list[Any] = []
    greetings: list[str] = []
    served: set[int] = set()  # sessions that have delivered an email

    class Handler:
        async def handle_EHLO(
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            greetings.append(hostname)
            session.host_name = hostname
            return responses

        async def handle_MAIL(
            self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
        ) -> str:
            if drop_after_each and id(session) in served:
                server.transport.close()  # as a server that times idle clients out would
                return "421 closing"
            envelope.mail_from = address
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            served.add(id(session))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received, greetings
    finally:
        controller.stop()


def url(port: int, to: str = "oncall@example.org") -> str:
    return f"mailto://127.0.0.1:{port}?from=warroom@example.org&to={to}"


def test_pages_by_email_from_one_sender_share_one_connection() -> None:
    kept = KeptConnections()
    with mail_server() as (port, received, greetings):
        for n in range(3):
            apprise_send(url(port), f"Sev1 page {n}", "Checkout down. Acknowledge: /ack/x", kept)
    assert len(received) == 3
    assert len(greetings) == 1, "one connection for the three emails"
    first = received[0].content.decode()
    assert "Subject: Sev1 page 0" in first and "Checkout down" in first
    assert received[0].rcpt_tos == ["oncall@example.org"]
    assert received[0].mail_from == "warroom@example.org"


def test_a_connection_the_server_dropped_is_opened_again_and_nothing_is_lost() -> None:
    kept = KeptConnections()
    with mail_server(drop_after_each=True) as (port, received, greetings):
        for n in range(3):
            apprise_send(url(port), f"page {n}", "body", kept)
    assert [e.content.decode().count(f"page {n}") for n, e in enumerate(received)] == [1, 1, 1]
    assert len(greetings) == 3


def test_each_sending_thread_keeps_its_own_connection() -> None:
    kept = KeptConnections()
    with mail_server() as (port, received, greetings):

        def send_two(n: int) -> None:
            for m in range(2):
                apprise_send(url(port), f"page {n}.{m}", "body", kept)

        senders = [threading.Thread(target=send_two, args=(n,)) for n in range(3)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=30)
    assert len(received) == 6
    assert len(greetings) == 3


def test_an_unreachable_mail_server_is_a_delivery_error_naming_it() -> None:
    with pytest.raises(DeliveryError, match=r"cannot reach the mail server 127\.0\.0\.1"):
        apprise_send(url(free_port()), "page", "body")


def test_an_email_sent_without_kept_connections_opens_and_closes_its_own() -> None:
    with mail_server() as (port, received, greetings):
        for n in range(2):
            apprise_send(url(port), f"announcement {n}", "body")
    assert len(received) == 2
    assert len(greetings) == 2


def test_an_email_apprise_must_encrypt_is_left_to_apprise_never_sent_in_the_clear() -> None:
    kept = KeptConnections()
    with mail_server() as (port, received, _), pytest.raises(DeliveryError):
        # no PGP key here: Apprise refuses to send it
        apprise_send(f"{url(port)}&pgp=encrypt", "Sev1 page", "the secret runbook", kept)
    assert not [e for e in received if b"the secret runbook" in e.content]
