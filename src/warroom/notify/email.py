"""Email pages over kept SMTP connections. Apprise reads the `mailto://` / `mailtos://` URL
(server, port, TLS mode, login, sender, recipients); the connection to the server is kept
per sending thread and reused, instead of Apprise's new connection and new SSL context
(the CA store loaded again) for every message, which made email the slowest channel under
a burst (bench/MEASUREMENTS.md). A kept connection the server has dropped is opened again
once, and an email that still fails raises DeliveryError, retried as any delivery is.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from functools import lru_cache
from typing import Any

import apprise

EMAIL_SCHEMES = ("mailto", "mailtos")
CONNECT_TIMEOUT_S = 15.0
PLAIN = "no"  # Apprise's pgp mode for mail neither signed nor encrypted


class EmailFailed(Exception):
    """The server refused the email or could not be reached; the text says why."""


def over_kept_connections(url: str) -> bool:
    """Whether an email URL is sent here: plain mail is; mail Apprise must sign or encrypt
    (`pgp=`, `wkd=`), and a URL Apprise cannot read, are left to Apprise itself."""
    if url.partition("://")[0].lower() not in EMAIL_SCHEMES:
        return False
    try:
        plugin = _plugin(url)
    except EmailFailed:
        return False
    return str(plugin.pgp_mode) == PLAIN


def send_email(url: str, subject: str, body: str, kept: KeptConnections | None = None) -> None:
    """Send one plain-text email as the URL says, over this thread's connection in `kept`
    (without it, a connection opened and closed for this email alone)."""
    if kept is None:
        alone = KeptConnections()
        try:
            send_email(url, subject, body, alone)
        finally:
            alone.close()
        return
    plugin = _plugin(url)
    recipients = [address for _, address in plugin.targets]
    if not recipients:
        raise EmailFailed("the mailto URL names no recipient")
    message = _message(plugin, subject, body, recipients)
    everyone = [*recipients, *plugin.cc, *plugin.bcc]
    try:
        _deliver(kept, plugin, message, everyone)
    except _Dropped:  # the kept connection had been closed by the server: once more
        _deliver(kept, plugin, message, everyone)


def _deliver(
    kept: KeptConnections, plugin: Any, message: EmailMessage, everyone: list[str]
) -> None:
    with kept.connection(plugin) as client:
        refused = client.send_message(message, from_addr=plugin.from_addr[1], to_addrs=everyone)
    if refused:
        raise EmailFailed(f"the server refused {', '.join(sorted(refused))}")


@lru_cache(maxsize=256)
def _plugin(url: str) -> Any:
    """Apprise's reading of the URL, once per URL (read only from here on)."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        raise EmailFailed("Apprise rejects the email URL")
    return plugin


def _message(plugin: Any, subject: str, body: str, recipients: list[str]) -> EmailMessage:
    name, address = plugin.from_addr
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((name or "", address))
    message["To"] = ", ".join(recipients)
    if plugin.cc:
        message["Cc"] = ", ".join(sorted(plugin.cc))
    if plugin.reply_to:
        message["Reply-To"] = ", ".join(sorted(plugin.reply_to))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message["X-Application"] = plugin.app_id
    for header, value in plugin.headers.items():
        message[header] = value
    message.set_content(body)
    return message


class KeptConnections:
    """One SMTP connection per sending thread and server, opened on first use."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def connection(self, plugin: Any) -> Iterator[smtplib.SMTP]:
        """This thread's connection to the plugin's server; if a kept one turns out to be
        dropped, one more try on a fresh connection."""
        kept: dict[tuple[Any, ...], smtplib.SMTP] = self._local.__dict__.setdefault("kept", {})
        key = (plugin.smtp_host, plugin.port, plugin.secure_mode, plugin.user)
        reused = key in kept
        client = kept.pop(key, None) or _connect(plugin)
        try:
            yield client
        except (smtplib.SMTPException, OSError) as exc:
            _close(client)
            if reused and _dropped(exc):
                raise _Dropped from exc
            raise EmailFailed(str(exc) or exc.__class__.__name__) from exc
        kept[key] = client

    def close(self) -> None:
        """Close this thread's connections."""
        for client in self._local.__dict__.pop("kept", {}).values():
            _close(client)


def _dropped(exc: Exception) -> bool:
    """Whether a failure on a kept connection says only that the server had closed it."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing transmission channel"
    return isinstance(exc, smtplib.SMTPServerDisconnected | OSError)


class _Dropped(Exception):
    """A kept connection was found closed by the server: send again on a new one."""


def _connect(plugin: Any) -> smtplib.SMTP:
    host, port, mode = plugin.smtp_host, plugin.port, plugin.secure_mode
    try:
        if mode == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=CONNECT_TIMEOUT_S, context=_tls(plugin.verify_certificate)
            )
        else:
            client = smtplib.SMTP(host, port, timeout=CONNECT_TIMEOUT_S)
            if mode == "starttls":
                client.starttls(context=_tls(plugin.verify_certificate))
        if plugin.user and plugin.password:
            client.login(plugin.user, plugin.password)
    except (OSError, smtplib.SMTPException) as exc:
        raise EmailFailed(f"cannot reach the mail server {host}:{port}: {exc}") from exc
    return client


@lru_cache(maxsize=2)
def _tls(verify: bool) -> ssl.SSLContext:
    """Made once: loading the CA store is most of what a fresh context costs."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _close(client: smtplib.SMTP) -> None:
    with suppress(OSError):
        client.close()
