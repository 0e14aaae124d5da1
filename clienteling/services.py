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


def followup_task_create(
    *,
    customer: Customer,
    store: Location,
    title: str,
    created_by: AbstractBaseUser | None = None,
    assigned_to: AbstractBaseUser | None = None,
    due_on=None,  # noqa: ANN001
    reference: str = "",
):
    """Create a follow-up task. With a `reference` (e.g. "aftersales:OP-0000123") it is created at most once."""
    from .models import FollowUpTask

    if reference:
        task, _created = FollowUpTask.objects.get_or_create(
            reference=reference,
            defaults={
                "customer": customer,
                "store": store,
                "title": title,
                "created_by": created_by,
                "assigned_to": assigned_to,
                "due_on": due_on,
            },
        )
        return task
    return FollowUpTask.objects.create(
        customer=customer, store=store, title=title, created_by=created_by, assigned_to=assigned_to, due_on=due_on
    )
