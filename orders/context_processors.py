"""What every page may show of the endless aisle (settings.TEMPLATES' context processors)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import basket_session


def basket(request: HttpRequest) -> dict[str, object]:
    """`basket_in_progress`: the basket this tablet is filling (`.customer`, `.lines`), or None. Lazy: a page that never shows
    it runs no query."""
    if not hasattr(request, "session"):
        return {}
    in_progress = SimpleLazyObject(lambda: basket_session.basket_in_progress(request))
    return {"basket_in_progress": in_progress}
