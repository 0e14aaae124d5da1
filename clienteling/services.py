"""Writes about customers: one function per business action."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omniportal.access import user_stores

from .models import AccessVia, Customer, FollowUpTask, Note, ProfileAccess, ProfileSection, TaskStatus
from .personal_data import personal_data_handlers, rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from omniportal.models import Location


class ClientelingError(Exception):
    """A clienteling rule said no; the message is safe to show to the associate."""


class ConsentMissing(ClientelingError):
    pass


class NotAColleague(ClientelingError):
    pass


class TaskNotOpen(ClientelingError):
    pass


class CustomerErased(ClientelingError):
    pass


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
    due_on: dt.date | None = None,
    reference: str = "",
) -> FollowUpTask:
    """Create a follow-up task. With a `reference` (e.g. "aftersales:OP-0000123") it is created at most once.

    An assignee must work at `store`: a task is never handed to someone who cannot see it. A follow-up is
    clienteling: without the customer's consent there is none (the profile hides tasks, so none could be done).
    """
    if customer.erased_at is not None:
        raise CustomerErased(_("This customer's data was erased."))
    if not customer.consent_clienteling:
        raise ConsentMissing(_("The customer has not consented to clienteling; follow-up tasks are not kept."))
    if assigned_to is not None and not user_stores(assigned_to).filter(pk=store.pk).exists():
        raise NotAColleague(_("%(person)s does not work at %(store)s.") % {"person": assigned_to, "store": store.name})
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


def followup_task_complete(*, task: FollowUpTask, user: AbstractBaseUser) -> FollowUpTask:
    """Mark an open task done, once: a conditional UPDATE, so two tablets cannot both complete it."""
    now = timezone.now()
    updated = FollowUpTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, completed_at=now, completed_by=user
    )
    if not updated:
        raise TaskNotOpen(_("This task is already done."))
    task.refresh_from_db()
    return task


def note_create(*, customer: Customer, author: AbstractBaseUser, store: Location | None, body: str) -> Note:
    """An associate's note. Notes are part of clienteling, so they need the customer's consent."""
    if customer.erased_at is not None:
        raise CustomerErased(_("This customer's data was erased."))
    if not customer.consent_clienteling:
        raise ConsentMissing(_("The customer has not consented to clienteling; notes are not kept."))
    body = body.strip()
    if not body:
        raise ClientelingError(_("A note cannot be empty."))
    return Note.objects.create(customer=customer, author=author, store=store, body=body[:2000])


# --- GDPR ---------------------------------------------------------------------------------------------------


def customer_export(*, customer: Customer, actor: AbstractBaseUser) -> dict[str, Any]:
    """Everything the portal holds about one customer (right of access), as JSON-ready data: the profile, each
    registered app's sections (clienteling.personal_data) and the access log.

    The export is for the data subject, so it holds all their data whatever their clienteling consent;
    it is itself recorded in the access log.
    """
    profile_fields = [
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "loyalty_number",
        "loyalty_tier",
        "address_line1",
        "address_line2",
        "city",
        "postal_code",
        "country",
        "lat",
        "lon",
        "consent_clienteling",
        "consent_marketing",
        "sizes",
        "preferences",
        "nearest_store__code",
        "nearest_store_km",
        "created_at",
        "erased_at",
    ]
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "profile": rows(Customer.objects.filter(pk=customer.pk), profile_fields)[0],
    }
    for handler in personal_data_handlers():
        data.update(handler.export(customer))
    data["access_log"] = rows(
        ProfileAccess.objects.filter(customer=customer).order_by("accessed_at"),
        ["accessed_at", "user__username", "store__code", "via", "shown"],
    )
    profile_access_record(
        user=actor, store=None, customer=customer, via=AccessVia.EXPORT, shown=[ProfileSection.EXPORT]
    )
    return data


@transaction.atomic
def customer_erase(*, customer: Customer, actor: AbstractBaseUser) -> Customer:
    """Erase a customer's personal data (right to erasure).

    The customer row stays, anonymised, because orders and commissions are kept (accounting). Each registered
    app erases its own part first (clienteling.personal_data): clienteling deletes the online life, notes,
    tasks and visits; orders keep what commission entries are explained by.
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.erased_at is not None:
        raise CustomerErased(_("This customer's data was already erased."))
    for handler in personal_data_handlers():
        handler.erase(locked)
    for name in ("first_name", "last_name", "email", "phone", "phone_digits", "search_name", "loyalty_tier"):
        setattr(locked, name, "")
    for name in ("address_line1", "address_line2", "city", "postal_code"):
        setattr(locked, name, "")
    locked.first_name = "—"
    locked.loyalty_number = None
    locked.lat = locked.lon = locked.nearest_store_km = None
    locked.nearest_store = None
    locked.sizes, locked.preferences = {}, {}
    locked.consent_clienteling = locked.consent_marketing = False
    locked.erased_at = timezone.now()
    locked.save()
    # On the record like every look: who erased this customer, and when (the row outlives the personal data).
    profile_access_record(
        user=actor, store=None, customer=locked, via=AccessVia.ERASURE, shown=[ProfileSection.ERASURE]
    )
    return locked
