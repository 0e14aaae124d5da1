from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.functional import SimpleLazyObject

from .access import is_head_office, user_stores

SESSION_STORE_KEY = "omniportal_store_id"


def chosen_store(request: HttpRequest):
    """The store chosen in this session, while the person still works there; None when none was chosen."""
    chosen = request.session.get(SESSION_STORE_KEY)
    if chosen is None:
        return None
    return user_stores(request.user).filter(pk=chosen).first()


def current_store(request: HttpRequest):
    """The store this tablet works for: the one chosen in the session, else the person's first store."""
    return chosen_store(request) or user_stores(request.user).order_by("code").first()


def access_store(request: HttpRequest):
    """The store a look at a customer is recorded at (ProfileAccess.store).

    Head office works for no store: `request.store` falls back to the first of all stores for them, which would
    put their look in that store's log. They are recorded at a store only when they chose it in this session.
    """
    if is_head_office(request.user):
        return chosen_store(request)
    return request.store


class CurrentStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.store = SimpleLazyObject(lambda: current_store(request))
        return self.get_response(request)


NUL_MESSAGE = "The address may not contain the NUL character (%00)."


class RefuseNulMiddleware:
    """A NUL in the path or query string is a 400 for every page and API read.

    PostgreSQL text cannot hold NUL, so such a value would fail deep in a query; forms and API bodies refuse
    it in their own validation, and this covers everything read straight from the URL.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            if request.path_info.startswith("/api/"):
                return JsonResponse({"errors": [{"index": None, "field": None, "message": NUL_MESSAGE}]}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>` on every response: the time Django spent on it, without the network.

    Outermost in MIDDLEWARE, so it counts every other middleware, the view and the template. Browsers show it
    in their developer tools, and `make bench` reports it as "server time" beside the client's wall time.
    Settings: SERVER_TIMING (default on).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response
