"""Structured logs: one event per line as key=value pairs, carrying the incident reference."""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

from warroom.store.availability import database_message

# an acknowledgement link acts on an incident for whoever holds it, so no log keeps one
ACK_TOKEN = re.compile(r"(/ack/)[^/?#\s\"']+")
MASKED_LOGGERS = ("uvicorn.access", "uvicorn.error")


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        level = record.levelname.lower()
        line = f"ts={stamp}Z level={level} logger={record.name} {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line += " exc=" + _quote(f"{type(exc).__name__}: {database_message(exc)}")
        return line


class MaskAckTokens(logging.Filter):
    """`/ack/<token>` becomes `/ack/***` in a record's message and its arguments (uvicorn's
    access line passes the path as an argument and formats the tuple itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_ack_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(arg) for key, arg in record.args.items()}
        return True


def mask_ack_tokens(text: str) -> str:
    return ACK_TOKEN.sub(r"\1***", text)


def _masked(value: Any) -> Any:
    """A text with its tokens masked; any other value as it is unless its text holds a link
    (an httpx URL), since turning every argument into text would break `%d`."""
    text = value if isinstance(value, str) else str(value)
    masked = mask_ack_tokens(text)
    return masked if masked != text or isinstance(value, str) else value


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(MaskAckTokens())
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's loggers may keep handlers of their own, which the root's filter never sees
    for name in MASKED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskAckTokens) for f in logger.filters):
            logger.addFilter(MaskAckTokens())


def fields(**values: Any) -> str:
    """`event=declared reference=2024-01-15-001`: values with spaces are quoted."""
    return " ".join(f"{key}={_quote(value)}" for key, value in values.items() if value is not None)


def _quote(value: Any) -> str:
    text = str(value)
    if not text or any(ch in text for ch in ' ="'):
        return '"' + text.replace('"', '\\"') + '"'
    return text
