"""Celery signal handlers: a task carries its request's id, and failures and retries reach the log.

Connected once by `omniportal/celery.py` (`connect()`), in the web processes and in the workers:
- `before_task_publish`: a task enqueued while a request (or another task) is handled gets the
  `request_id` message header;
- `task_prerun` / `task_postrun`: the worker puts that header into the request-id context variable for the
  task's run, so the task's log lines carry the same id as the request that enqueued it;
- `task_failure` (ERROR) and `task_retry` (WARNING): one structured line each, with task name, task id,
  exception and request id. Celery's own `celery.app.trace` line, with the traceback, follows a failure;
- `setup_logging`: workers and beat log through Django's LOGGING (request id, LOG_FORMAT=json) instead of
  Celery's own handler; `--loglevel` still sets the root level.
Eager mode (no REDIS_URL) publishes nothing: the task runs inside the request and its context.
"""

from __future__ import annotations

import logging
from contextvars import Token
from typing import Any

from celery.signals import before_task_publish, setup_logging, task_failure, task_postrun, task_prerun, task_retry
from django.conf import settings
from django.utils.log import configure_logging

from .request_id import current_request_id, request_id_var, sane_request_id

logger = logging.getLogger("omniportal.celery")

HEADER = "request_id"

# Task id -> the token that undoes the task's request id at task_postrun (same process, same thread).
_restore_tokens: dict[str, Token[str | None]] = {}


def _header_request_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    # A worker spreads custom message headers on the request; `Task.apply(headers=...)` keeps them in `.headers`.
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return sane_request_id(value)


def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if request_id is not None and headers is not None:
        headers.setdefault(HEADER, request_id)


def restore_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request_id = _header_request_id(task)
    if request_id is not None and task_id is not None:
        _restore_tokens[task_id] = request_id_var.set(request_id)


def forget_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _restore_tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (a pool that switched threads): just clear it
            request_id_var.set(None)


def _task_name(sender: Any) -> str:
    return getattr(sender, "name", None) or str(sender)


def log_task_failure(
    sender: Any = None, task_id: str | None = None, exception: BaseException | None = None, **_: Any
) -> None:
    request_id = current_request_id() or _header_request_id(sender)
    name = _task_name(sender)
    logger.error(
        "Celery task %s[%s] failed (request_id=%s): %r",
        name,
        task_id,
        request_id or "-",
        exception,
        extra={
            "event": "task_failure",
            "task_name": name,
            "task_id": task_id,
            "request_id": request_id,
            "exception_type": type(exception).__name__ if exception is not None else None,
            "exception": repr(exception),
        },
    )


def log_task_retry(sender: Any = None, request: Any = None, reason: object = None, **_: Any) -> None:
    request_id = current_request_id() or _header_request_id(sender)
    name = _task_name(sender)
    task_id = getattr(request, "id", None)
    retries = getattr(request, "retries", None)
    logger.warning(
        "Celery task %s[%s] will be retried (request_id=%s, retries so far %s): %s",
        name,
        task_id,
        request_id or "-",
        retries,
        reason,
        extra={
            "event": "task_retry",
            "task_name": name,
            "task_id": task_id,
            "request_id": request_id,
            "retries": retries,
            "reason": str(reason),
        },
    )


def configure_worker_logging(loglevel: int | str | None = None, **_: Any) -> None:
    """Workers and beat use Django's LOGGING (a receiver here tells Celery not to install its own handler)."""
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


def connect() -> None:
    """Idempotent (dispatch_uid): safe however many times the Celery app module is imported."""
    before_task_publish.connect(add_request_id_header, dispatch_uid="omniportal.request_id.publish", weak=False)
    task_prerun.connect(restore_request_id, dispatch_uid="omniportal.request_id.prerun", weak=False)
    task_postrun.connect(forget_request_id, dispatch_uid="omniportal.request_id.postrun", weak=False)
    task_failure.connect(log_task_failure, dispatch_uid="omniportal.task_failure", weak=False)
    task_retry.connect(log_task_retry, dispatch_uid="omniportal.task_retry", weak=False)
    setup_logging.connect(configure_worker_logging, dispatch_uid="omniportal.setup_logging", weak=False)
