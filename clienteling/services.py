"""Writes about customers: one function per business action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import AccessVia, Customer, ProfileAccess

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from inventory.models import Location


def profile_access_record(
    *, user: AbstractBaseUser, store: Location | None, customer: Customer, via: str, shown: list[str]
) -> ProfileAccess:
    """Write the audit row for one look at a customer's profile."""
    if via not in AccessVia.values:
        via = AccessVia.PROFILE
    return ProfileAccess.objects.create(user=user, store=store, customer=customer, via=via, shown=shown)
