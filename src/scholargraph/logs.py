"""Logs: one line per record, as JSON objects or as text (SCHOLARGRAPH_LOG_FORMAT).

Every record logged while a request is served carries its request id (the `x-request-id` the
answer bears), from a context variable that the request's tasks, DataLoader batches included,
inherit. The access log (`scholargraph.access`) has one record per HTTP request, with the
GraphQL operation's name, its status, duration and cost; it replaces uvicorn's access log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

FORMATS = ("json", "text")

access = logging.getLogger("scholargraph.access")

_request_id: ContextVar[str | None] = ContextVar("scholargraph_request_id", default=None)

# The attributes every LogRecord has; anything else came in `extra=` and is a field.
# uvicorn's color_message is its message with terminal colours.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message", "asctime", "request_id", "color_message",
}  # fmt: skip


def request_id() -> str | None:
    return _request_id.get()


@contextmanager
def request(request_id: str) -> Iterator[None]:
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or _request_id.get()
        if current is not None:
            body["request_id"] = current
        body.update(_fields(record))
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(body, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields(record)
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        current = getattr(record, "request_id", None) or _request_id.get()
        if current is not None:
            line += f" request_id={current}"
        return line


def config(level: str = "info", log_format: str = "text") -> dict[str, Any]:
    """A logging.config.dictConfig for the API's processes (uvicorn's `log_config` too, so
    that every worker process applies it)."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    handler = {
        "class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"
    }  # fmt: skip
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Ours (scholargraph.access) logs every request with more of what it was.
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def access_line(
    method: str,
    path: str,
    status: int,
    seconds: float,
    operation: str | None = None,
    cost: int | None = None,
    outcome: str | None = None,
    *,
    quiet: bool = False,
) -> None:
    level = logging.DEBUG if quiet else logging.INFO
    if not access.isEnabledFor(level):
        return
    fields: dict[str, Any] = {
        "method": method, "path": path, "status": status, "duration_ms": round(seconds * 1000, 2)
    }  # fmt: skip
    if operation is not None:
        fields.update(operation=operation, cost=cost, outcome=outcome)
    access.log(level, "%s %s %s", method, path, status, extra=fields)


__all__ = [
    "FORMATS",
    "JsonFormatter",
    "TextFormatter",
    "access_line",
    "config",
    "request",
    "request_id",
]
