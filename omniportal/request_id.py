"""One id per request: in the `X-Request-ID` response header, in every log line and in the request's Celery tasks.

A sane id sent by the client or the load balancer (`X-Request-ID`, at most 64 characters of A-Z a-z 0-9 . _ -)
is kept, so a line in the proxy's log, the portal's log and a worker's log can be joined; anything else is
replaced by a fresh one. The id lives in a context variable: `omniportal.logging_config.RequestContextFilter`
adds it to log records, `omniportal.celery_signals` carries it into task headers and restores it in the worker.
This module imports only the standard library: the Celery app imports it before Django is set up.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.core.signals import request_finished

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id_var: ContextVar[str | None] = ContextVar("omniportal_request_id", default=None)
# The request itself, so that the log filter can name the signed-in person (by id) once something asked who it is.
current_request_var: ContextVar[HttpRequest | None] = ContextVar("omniportal_request", default=None)


def sane_request_id(value: object) -> str | None:
    """`value` when it is an acceptable request id, else None (it goes into logs and headers verbatim)."""
    if isinstance(value, str) and _SANE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()


def forget_request(**_: object) -> None:
    """`request_finished`: the response has been sent and closed, the request's lines are all written."""
    request_id_var.set(None)
    current_request_var.set(None)


class RequestIdMiddleware:
    """Near the top of MIDDLEWARE (right after ServerTimingMiddleware), so that redirects and refusals made by
    the middleware below it carry the id too.

    The id stays set until the response is closed (`request_finished`), not only while the middleware runs:
    Django logs "Not Found: …" and every other 4xx/5xx response after the middleware chain has returned, and a
    streaming response (the CSV exports) produces its body after that.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        request_finished.connect(forget_request, dispatch_uid="omniportal.request_id.forget_request")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.META.get(_META_KEY)) or new_request_id()
        request.request_id = request_id
        request_id_var.set(request_id)
        current_request_var.set(request)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response
