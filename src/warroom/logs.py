"""Structured logs: one event per line as key=value pairs, carrying the incident reference."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from warroom.store.availability import database_message


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        level = record.levelname.lower()
        line = f"ts={stamp}Z level={level} logger={record.name} {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line += " exc=" + _quote(f"{type(exc).__name__}: {database_message(exc)}")
        return line


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def fields(**values: Any) -> str:
    """`event=declared reference=2024-01-15-001`: values with spaces are quoted."""
    return " ".join(f"{key}={_quote(value)}" for key, value in values.items() if value is not None)


def _quote(value: Any) -> str:
    text = str(value)
    if not text or any(ch in text for ch in ' ="'):
        return '"' + text.replace('"', '\\"') + '"'
    return text
