"""The LOGGING dict (`build_logging`) and the pieces it names: the request-context filter and the JSON formatter.

`LOG_FORMAT=plain` (the default, for people reading a terminal) or `LOG_FORMAT=json` (one JSON object per line,
for a log pipeline). Either way every line carries the request id, and the signed-in person's user id when
there is one: never a name or an email.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

from celery._state import get_current_task
from django.core.exceptions import ImproperlyConfigured

from .request_id import current_request_var, request_id_var

LOG_FORMATS = ("plain", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s user_id=%(user_id)s] %(message)s"

# Attributes every LogRecord has: anything else on a record came from `extra=` or from a filter.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _signed_in_user_id() -> int | None:
    request = current_request_var.get()
    # AuthenticationMiddleware's lazy user caches itself here once something asked who it is; reading
    # `request.user` from a log filter could run a query while logging one, so the filter never does.
    user = getattr(request, "_cached_user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class RequestContextFilter(logging.Filter):
    """Adds `request_id`, `user_id` (signed in only) and, inside a Celery task, `task_name` and `task_id`.

    Put it on the handlers (a filter on a logger does not see records propagated from its children).
    Values passed explicitly with `extra=` win.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if not hasattr(record, "user_id"):
            user_id = _signed_in_user_id()
            if user_id is not None:
                record.user_id = user_id
        task = get_current_task()
        if task is not None and task.request.id is not None:
            if not hasattr(record, "task_name"):
                record.task_name = task.name
            if not hasattr(record, "task_id"):
                record.task_id = task.request.id
        return True


class PlainFormatter(logging.Formatter):
    """The classic one-line format, with `-` where a record has no request id or user."""

    def __init__(self, fmt: str = PLAIN_FORMAT, datefmt: str | None = None) -> None:
        super().__init__(fmt, datefmt, defaults={"request_id": "-", "user_id": "-"})

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", "-") is None:
            record = copy.copy(record)  # other handlers see the same record: leave its None alone
            record.request_id = "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, then user_id,
    task_name, task_id and any `extra=` fields when present, and `exception` (the formatted traceback).
    Django's `request` extra becomes `method` and `path` (never the query string)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry.setdefault(key, value)
        # django.request passes the request itself: its repr has the query string, where a search may have put
        # a customer's name or email. Keep the method and the path only.
        request = entry.pop("request", None)
        if request is not None:
            entry.setdefault("method", getattr(request, "method", None))
            entry.setdefault("path", getattr(request, "path", None))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def build_logging(level: str, fmt: str) -> dict[str, Any]:
    """LOGGING for settings.py: `LOGGING = build_logging(env.str("LOG_LEVEL", ...), env.str("LOG_FORMAT", ...))`."""
    level = level.strip().upper()
    fmt = fmt.strip().lower()
    if level not in LOG_LEVELS:
        raise ImproperlyConfigured(f"LOG_LEVEL={level!r}: use one of {', '.join(LOG_LEVELS)}.")
    if fmt not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT={fmt!r}: use plain or json.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "omniportal.logging_config.RequestContextFilter"}},
        "formatters": {
            "plain": {"()": "omniportal.logging_config.PlainFormatter"},
            "json": {"()": "omniportal.logging_config.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["request_context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        # DEBUG at the root would print every SQL statement; ask for it on this logger explicitly.
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }
