from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .access import staff_required, user_stores
from .middleware import SESSION_STORE_KEY

logger = logging.getLogger(__name__)


@require_POST
@staff_required
def choose_store(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("store", "")
    store = (
        user_stores(request.user).filter(pk=int(raw)).first()
        if raw.isascii() and raw.isdigit() and len(raw) < 19
        else None
    )
    if store is None:
        messages.error(request, _("You are not assigned to that store."))
    else:
        request.session[SESSION_STORE_KEY] = store.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "home"
    return redirect(target)


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
