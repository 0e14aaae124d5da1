from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.functional import SimpleLazyObject

from .access import is_head_office, user_stores
from .models import Location

SESSION_STORE_KEY = "omniportal_store_id"
# How many of a person's stores the header lists in its menu; someone with more (head office) picks on /store/.
STORES_IN_MENU = 8


@dataclass
class StoreContext:
    """The store this tablet works for, and the stores its person may switch to in one tap.

    `current` is the store chosen in this session while the person still works there, else their first store;
    for head office, who works for the whole network, it is None until they choose one. `choices` holds up to
    STORES_IN_MENU + 1 of the person's stores in code order (one query for both): `more` says there are others.
    """

    current: Location | None
    choices: list[Location] = field(default_factory=list)
    network: bool = False  # head office: no store chosen, the page shows the whole network

    @property
    def more(self) -> bool:
        return len(self.choices) > STORES_IN_MENU

    @property
    def menu(self) -> list[Location]:
        return self.choices[:STORES_IN_MENU]


def store_context(request: HttpRequest) -> StoreContext:
    user = request.user
    choices = list(user_stores(user).order_by("code")[: STORES_IN_MENU + 1])
    chosen = request.session.get(SESSION_STORE_KEY)
    current = next((store for store in choices if store.pk == chosen), None)
    if current is None and chosen is not None and len(choices) > STORES_IN_MENU:
        current = user_stores(user).filter(pk=chosen).first()
    head_office = is_head_office(user)
    if current is None and not head_office:
        current = choices[0] if choices else None
    return StoreContext(current=current, choices=choices, network=head_office and current is None)


def access_store(request: HttpRequest) -> Location | None:
    """The store a look at a customer is recorded at (ProfileAccess.store): the store this tablet works for.

    Head office is recorded at a store only when they chose it in this session (else at none: their look is not
    in any store's log).
    """
    return request.store or None


class CurrentStoreMiddleware:
    """`request.store` (the current store or None) and `request.stores` (the StoreContext), both lazy: read the store
    as `request.store or None` before handing it to a query (a lazy None is not `None`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.stores = SimpleLazyObject(lambda: store_context(request))
        request.store = SimpleLazyObject(lambda: request.stores.current)
        return self.get_response(request)


class HtmxMessagesMiddleware:
    """Messages of an htmx action are shown on the page that made it, as toasts, and never on a later page.

    An htmx response takes the pending messages out of the store and hands them to the page in an `HX-Trigger`
    header (event `toast`, static/js/portal.js draws them). Full pages show theirs as toasts too (base.html).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.has_header("HX-Redirect"):
            return response
        pending = [
            {"level": message.level_tag, "text": str(message.message)} for message in messages.get_messages(request)
        ]
        if pending:
            triggers = json.loads(response.headers.get("HX-Trigger") or "{}")
            triggers["toast"] = pending
            # ensure_ascii: header values must be Latin-1; \u escapes carry any language.
            response["HX-Trigger"] = json.dumps(triggers, ensure_ascii=True)
        return response


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
