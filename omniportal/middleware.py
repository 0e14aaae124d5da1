from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .access import user_stores

SESSION_STORE_KEY = "omniportal_store_id"


def current_store(request: HttpRequest):
    """The store this tablet works for: the one chosen in the session, else the person's first store."""
    stores = user_stores(request.user)
    chosen = request.session.get(SESSION_STORE_KEY)
    if chosen is not None:
        store = stores.filter(pk=chosen).first()
        if store is not None:
            return store
    return stores.order_by("code").first()


class CurrentStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.store = SimpleLazyObject(lambda: current_store(request))
        return self.get_response(request)
