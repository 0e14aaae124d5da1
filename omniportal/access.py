"""Roles and store scoping: the one place that decides what a signed-in person may see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Location, LocationKind, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest, HttpResponse

M = TypeVar("M", bound=Model)

ROLE_GROUPS = {Role.ASSOCIATE: "Associates", Role.MANAGER: "Store managers", Role.HEAD_OFFICE: "Head office"}


def user_role(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.HEAD_OFFICE
    profile = getattr(user, "staff_profile", None)
    return Role(profile.role) if profile else None


def is_head_office(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user_role(user) == Role.HEAD_OFFICE


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user_role(user) in {Role.MANAGER, Role.HEAD_OFFICE}


def user_stores(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Location]:
    """The stores a person works for: their assigned stores; every store for head office."""
    stores = Location.objects.filter(kind=LocationKind.STORE)
    role = user_role(user)
    if role is None:
        return stores.none()
    if role == Role.HEAD_OFFICE:
        return stores
    return stores.filter(staff__user=user)


def store_ids(user: AbstractBaseUser | AnonymousUser) -> frozenset[int] | None:
    """The ids of the stores a person works at (`user_stores`); None for head office, who sees every store.

    For a condition that names the few ids as literals (PostgreSQL then plans on the rows' own columns, not on
    a subquery repeated in each branch of an OR).
    """
    role = user_role(user)
    if role == Role.HEAD_OFFICE:
        return None
    if role is None:
        return frozenset()
    return frozenset(user_stores(user).values_list("pk", flat=True))


def scope_to_stores(
    queryset: QuerySet[M],
    user: AbstractBaseUser | AnonymousUser,
    field: str = "store",
    *,
    store: Location | None = None,
) -> QuerySet[M]:
    """Store data a person may see: the rows of their stores (`field` is the path to the store foreign key),
    every row for head office, nothing for someone without a role; only `store`'s rows when it is given."""
    role = user_role(user)
    if role is None:
        return queryset.none()
    if store is not None:
        queryset = queryset.filter(**{field: store})
    if role == Role.HEAD_OFFICE:
        return queryset
    return queryset.filter(**{f"{field}__in": user_stores(user).values("pk")})


def role_required(*roles: Role) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in required, then one of `roles` (head office passes every role check)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            role = user_role(request.user)
            if role is None or (role not in roles and role != Role.HEAD_OFFICE):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.ASSOCIATE, Role.MANAGER)
manager_required = role_required(Role.MANAGER)
head_office_required = role_required(Role.HEAD_OFFICE)


def store_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page about one store: without a current store (head office looking at the network, a person with no
    store) it asks to choose one, then comes back."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.store:  # a lazy None (omniportal.middleware) is not `None`
            messages.info(request, _("Choose the store to work for."))
            return redirect(f"{reverse('choose-store')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped
