from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .access import user_role
from .models import Role

# (url name, label, roles that see it); head office sees everything.
NAVIGATION = [
    ("customer-search", _("Customers"), {Role.ASSOCIATE, Role.MANAGER}),
    ("inventory-search", _("Inventory"), {Role.ASSOCIATE, Role.MANAGER}),
    ("pickup-queue", _("Pickups"), {Role.ASSOCIATE, Role.MANAGER}),
    ("shipments", _("To ship"), {Role.ASSOCIATE, Role.MANAGER}),
    ("commissions", _("Commissions"), {Role.MANAGER}),
    ("commissions-network", _("Network"), set()),
    ("insights", _("Insights"), {Role.MANAGER}),
    ("customer-access-log", _("Access log"), {Role.MANAGER}),
    ("lockouts", _("Lockouts"), set()),
]


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    role = user_role(user) if user is not None else None
    nav_items = []
    if role is not None:
        path = request.path
        for url_name, label, roles in NAVIGATION:
            if role == Role.HEAD_OFFICE or role in roles:
                url = reverse(url_name)
                nav_items.append({"url": url, "label": label, "current": path.startswith(url) and url != "/"})
    return {
        "unprefixed_path": _unprefixed_path(request),
        "role": role,
        "is_manager": role in {Role.MANAGER, Role.HEAD_OFFICE},
        "is_head_office": role == Role.HEAD_OFFICE,
        "nav_items": nav_items,
    }


def _unprefixed_path(request: HttpRequest) -> str:
    """This page's address without its language prefix ("/it/customers/?q=ros" → "/customers/?q=ros").

    The language switcher posts it as `next`: Django's set_language view turns an unprefixed address into the
    chosen language's one, but cannot resolve one prefixed with another language.
    """
    path = request.get_full_path()
    prefix = f"/{get_language()}/"
    return path[len(prefix) - 1 :] if path.startswith(prefix) else path


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """This response's CSP nonce as `csp_nonce`, the name django-htmx's {% htmx_script %} reads.

    Left lazy: a page that never prints it does not put a nonce in its header.
    """
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
