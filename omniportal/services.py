"""Writes about people and integration clients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from .access import ROLE_GROUPS
from .models import IntegrationToken, Role, StaffProfile, TokenScope, hash_token_key

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


class UnknownStore(ValueError):
    pass


class UnknownScope(ValueError):
    pass


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    role: Role,
    store_codes: Iterable[str] = (),
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    pin: str | None = None,
) -> AbstractUser:
    """Create (or update) a person with their role group, stores and optional PIN."""
    from inventory.models import Location, LocationKind

    codes = list(dict.fromkeys(store_codes))
    stores = list(Location.objects.filter(code__in=codes, kind=LocationKind.STORE))
    missing = sorted(set(codes) - {store.code for store in stores})
    if missing:
        raise UnknownStore(f"No store with code {', '.join(missing)}.")
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first_name or user.first_name, last_name or user.last_name, email
    user.is_staff = role == Role.HEAD_OFFICE  # head office works in the Django admin
    if password is not None:
        user.set_password(password)
    elif not user.has_usable_password() or not user.password:
        user.set_unusable_password()
    user.save()
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()))
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    user.groups.add(group)
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.role = role
    if pin is not None:
        profile.pin_hash = make_password(pin)
    profile.save()
    profile.stores.set(stores)
    return user


def integration_token_create(*, name: str, scopes: Iterable[str]) -> tuple[IntegrationToken, str]:
    """Create a token; returns it with the plain key, which is never stored and never shown again."""
    wanted = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    unknown = sorted(set(wanted) - set(TokenScope.values))
    if unknown or not wanted:
        raise UnknownScope(
            f"Unknown scope(s): {', '.join(unknown) or '(none given)'}. Choose from {', '.join(TokenScope.values)}."
        )
    key = IntegrationToken.generate_key()
    token = IntegrationToken.objects.create(name=name, prefix=key[:10], key_hash=hash_token_key(key), scopes=wanted)
    return token, key
