from __future__ import annotations

import logging

import redis
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .access import is_head_office, staff_required, user_stores
from .middleware import SESSION_STORE_KEY

logger = logging.getLogger(__name__)

STORE_PAGE_SIZE = 60


class StoreFilterForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, strip=True)


def _safe_next(request: HttpRequest, target: str) -> str:
    """`target` when it is a path on this site, else the home page."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("home")


@require_http_methods(["GET", "POST"])
@staff_required
def choose_store(request: HttpRequest) -> HttpResponse:
    """The store this tablet works for: the header's menu posts here; this page lists every store of the person
    (head office: all of them, searchable, and the whole network)."""
    if request.method == "GET":
        form = StoreFilterForm(request.GET)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        stores = user_stores(request.user).order_by("code")
        if query:
            stores = stores.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(city__icontains=query))
        context = {
            "stores": stores[:STORE_PAGE_SIZE],
            "query": query,
            "next": _safe_next(request, request.GET.get("next", "")),
        }
        return render(request, "registration/choose_store.html", context)
    raw = request.POST.get("store", "")
    if raw == "network" and is_head_office(request.user):
        request.session.pop(SESSION_STORE_KEY, None)
        messages.success(request, _("You are looking at the whole network."))
        return redirect(_safe_next(request, request.POST.get("next", "")))
    store = (
        user_stores(request.user).filter(pk=int(raw)).first()
        if raw.isascii() and raw.isdigit() and len(raw) < 19
        else None
    )
    if store is None:
        messages.error(request, _("You are not assigned to that store."))
    else:
        request.session[SESSION_STORE_KEY] = store.pk
        messages.success(request, _("Now working for %(store)s.") % {"store": store.name})
    return redirect(_safe_next(request, request.POST.get("next", "")))


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    body: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except Exception:  # any failure means "not ok"; the detail goes to the log, not to the world
        logger.exception("healthz: database check failed")
        body["database"] = "error"
        healthy = False
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
            body["broker"] = "ok"
        except Exception:
            logger.exception("healthz: broker check failed")
            body["broker"] = "error"
            healthy = False
    else:
        body["broker"] = "not configured"
    return JsonResponse(body, status=200 if healthy else 503)
