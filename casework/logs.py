"""Logs for operators: one JSON object a line, or plain text in development.

Nothing a user typed reaches a log line. Requests are logged by their route pattern
(`/cases/<uuid:case_id>`), never by their path or query string, and never with form
values (`casework.security` writes that line). Errors carry their exception's type and
traceback frames but not its message, which may quote input; SQL errors never carry
statement parameters (`casework.db` hides them).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

REQUEST_LOGGER = "casework.request"

# Attributes a log record may carry (through `extra=`) that go into the JSON line.
FIELDS = (
    "request_id",
    "method",
    "route",
    "endpoint",
    "status",
    "duration_ms",
    "bytes",
    "client",
    "user_id",
)


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: time, level, logger, message and the known fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            entry["exception"] = f"{kind.__module__}.{kind.__qualname__}"
            entry["traceback"] = "".join(traceback.format_tb(tb))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal; exceptions by type and frames, as in JSON."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        kind, _value, tb = ei
        return "".join(traceback.format_tb(tb)) + f"{kind.__module__}.{kind.__qualname__}"


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Send every log record to standard error in `log_format` ("json" or "text")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
