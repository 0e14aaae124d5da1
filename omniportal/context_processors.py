from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .access import user_role
from .models import Role
from .text import initials


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    icon: str
    roles: frozenset[Role]  # who sees it; head office sees every entry
    primary: bool = True  # in the bar itself; the others are under "More"


# The bar holds what a store uses all day; the rest (a manager's and head office's reviews) is one tap away.
NAVIGATION = (
    NavEntry("home", _("Today"), "house", frozenset({Role.ASSOCIATE, Role.MANAGER})),
    NavEntry("customer-search", _("Customers"), "users", frozenset({Role.ASSOCIATE, Role.MANAGER})),
    NavEntry("inventory-search", _("Inventory"), "package", frozenset({Role.ASSOCIATE, Role.MANAGER})),
    NavEntry("pickup-queue", _("Pickups"), "shopping-bag", frozenset({Role.ASSOCIATE, Role.MANAGER})),
    NavEntry("shipments", _("To ship"), "truck", frozenset({Role.ASSOCIATE, Role.MANAGER})),
    NavEntry("commissions", _("Commissions"), "euro", frozenset({Role.MANAGER}), primary=False),
    NavEntry("commissions-network", _("Network"), "chart-column", frozenset(), primary=False),
    NavEntry("insights", _("Insights"), "chart-line", frozenset({Role.MANAGER}), primary=False),
    NavEntry("customer-access-log", _("Access log"), "shield-check", frozenset({Role.MANAGER}), primary=False),
    NavEntry("lockouts", _("Lockouts"), "lock-keyhole", frozenset(), primary=False),
    NavEntry("admin:index", _("Admin"), "settings", frozenset(), primary=False),
)


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    role = user_role(user) if user is not None else None
    primary, more = [], []
    if role is not None:
        path = request.path
        home = reverse("home")
        for entry in NAVIGATION:
            if role != Role.HEAD_OFFICE and role not in entry.roles:
                continue
            url = reverse(entry.url_name)
            current = path == url if url == home else path.startswith(url)
            item = {"url": url, "label": entry.label, "icon": entry.icon, "current": current}
            (primary if entry.primary else more).append(item)
    return {
        "unprefixed_path": _unprefixed_path(request),
        "role": role,
        "is_manager": role in {Role.MANAGER, Role.HEAD_OFFICE},
        "is_head_office": role == Role.HEAD_OFFICE,
        "nav_items": primary,
        "nav_more": more,
        "nav_more_current": any(item["current"] for item in more),
        "person_initials": _person_initials(user) if role is not None else "",
    }


def _person_initials(user) -> str:
    """The signed-in person's avatar letters: from their name, else from their username ("helena_hq" → "HH")."""
    if user.first_name or user.last_name:
        return initials(user.first_name, user.last_name)
    return initials(*user.get_username().replace(".", "_").split("_"))


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
