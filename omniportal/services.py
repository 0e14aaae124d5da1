"""Writes about people and integration clients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from .access import ROLE_GROUPS
from .models import IntegrationToken, Location, LocationKind, Role, StaffProfile, TokenScope, hash_token_key
from .pins import validate_new_pin, validate_pin_format
from .throttle import PIN_SCOPE, reset_failures

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
    profile.save()
    profile.stores.set(stores)
    if pin is not None:
        # Run by an operator (create_user, the demo with PIN 1234): the format rule only.
        staff_pin_set(user=user, pin=pin, allow_guessable=True)
    return user


@transaction.atomic
def staff_pin_set(*, user: AbstractUser, pin: str, allow_guessable: bool = False) -> None:
    """Store a person's new PIN (hashed) and lift any lockout of their PIN.

    Raises InvalidPin for a PIN that breaks omniportal.pins' rule (its format only with `allow_guessable`), and
    StaffProfile.DoesNotExist for a person without a staff profile: making one here would hand out a role.
    """
    if allow_guessable:
        validate_pin_format(pin)
    else:
        validate_new_pin(pin)
    _staff_pin_hash_store(user=user, pin_hash=make_password(pin))


@transaction.atomic
def staff_pin_clear(*, user: AbstractUser) -> None:
    """Remove a person's PIN: they switch person again only after a new one is set."""
    _staff_pin_hash_store(user=user, pin_hash="")


def _staff_pin_hash_store(*, user: AbstractUser, pin_hash: str) -> None:
    profile = StaffProfile.objects.get(user=user)
    profile.pin_hash = pin_hash
    profile.save(update_fields=["pin_hash"])
    user.staff_profile = profile  # whoever holds this user object reads the new hash
    reset_failures(PIN_SCOPE, str(user.pk))


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
