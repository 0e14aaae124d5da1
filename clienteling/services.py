"""Writes about customers: one function per business action."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omniportal.access import user_stores

from .models import (
    AccessVia,
    BrowsingEvent,
    Cart,
    Customer,
    FollowUpTask,
    Note,
    ProfileAccess,
    ProfileSection,
    TaskStatus,
    Visit,
    WishlistItem,
)

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


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _rows(queryset, fields: list[str]) -> list[dict[str, Any]]:
    return [{key: _iso(value) for key, value in row.items()} for row in queryset.values(*fields)]


def customer_export(*, customer: Customer, actor: AbstractBaseUser) -> dict[str, Any]:
    """Everything the portal holds about one customer (right of access), as JSON-ready data.

    The export is for the data subject, so it holds all their data whatever their clienteling consent;
    it is itself recorded in the access log.
    """
    from orders.models import Order, OrderLine, Sale, SaleLine

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
    profile = _rows(Customer.objects.filter(pk=customer.pk), profile_fields)[0]
    carts = []
    for cart in Cart.objects.filter(customer=customer).prefetch_related("lines").order_by("source_updated_at"):
        carts.append(
            {
                "cart_id": cart.cart_id,
                "status": cart.status,
                "currency": cart.currency,
                "updated_at": _iso(cart.source_updated_at),
                "lines": [
                    {"sku": line.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)}
                    for line in cart.lines.all()
                ],
            }
        )
    order_lines: dict[int, list[dict[str, Any]]] = {}
    for line in OrderLine.objects.filter(order__customer=customer).values(
        "order_id", "sku", "quantity", "unit_price", "discount", "returned_quantity", "cancelled_quantity"
    ):
        order_id = line.pop("order_id")
        order_lines.setdefault(order_id, []).append({k: str(v) if k != "sku" else v for k, v in line.items()})
    orders = []
    for order in Order.objects.filter(customer=customer).order_by("placed_at"):
        orders.append(
            {
                "number": order.number,
                "external_id": order.external_id,
                "channel": order.channel,
                "status": order.status,
                "placed_at": _iso(order.placed_at),
                "currency": order.currency,
                "delivery": {
                    "method": order.delivery_method,
                    "name": order.delivery_name,
                    "line1": order.delivery_line1,
                    "line2": order.delivery_line2,
                    "city": order.delivery_city,
                    "postal_code": order.delivery_postal_code,
                    "country": order.delivery_country,
                },
                "lines": order_lines.get(order.pk, []),
            }
        )
    sale_lines: dict[int, list[dict[str, Any]]] = {}
    for line in SaleLine.objects.filter(sale__customer=customer).values("sale_id", "sku", "quantity", "unit_price"):
        sale_id = line.pop("sale_id")
        sale_lines.setdefault(sale_id, []).append({**line, "unit_price": str(line["unit_price"])})
    sales = [
        {
            "external_id": sale.external_id,
            "store": sale.store.code,
            "sold_at": _iso(sale.sold_at),
            "currency": sale.currency,
            "total": str(sale.total),
            "lines": sale_lines.get(sale.pk, []),
        }
        for sale in Sale.objects.filter(customer=customer).select_related("store").order_by("sold_at")
    ]
    data = {
        "exported_at": timezone.now().isoformat(),
        "profile": profile,
        "events": _rows(
            BrowsingEvent.objects.filter(customer=customer).order_by("occurred_at", "id"),
            ["event_id", "type", "occurred_at", "session_id", "sku", "quantity", "query", "channel", "device"],
        ),
        "carts": carts,
        "wishlist": _rows(WishlistItem.objects.filter(customer=customer).order_by("added_at"), ["sku", "added_at"]),
        "visits": _rows(
            Visit.objects.filter(customer=customer).order_by("seen_at"), ["store__code", "seen_at", "source"]
        ),
        "orders": orders,
        "sales": sales,
        "notes": _rows(
            Note.objects.filter(customer=customer).order_by("created_at"),
            ["body", "created_at", "author__username", "store__code"],
        ),
        "tasks": _rows(
            FollowUpTask.objects.filter(customer=customer).order_by("created_at"),
            ["title", "status", "due_on", "created_at", "completed_at", "store__code", "assigned_to__username"],
        ),
        "access_log": _rows(
            ProfileAccess.objects.filter(customer=customer).order_by("accessed_at"),
            ["accessed_at", "user__username", "store__code", "via", "shown"],
        ),
    }
    for row in data["events"]:
        row["event_id"] = str(row["event_id"])
    profile_access_record(
        user=actor, store=None, customer=customer, via=AccessVia.EXPORT, shown=[ProfileSection.EXPORT]
    )
    return data


@transaction.atomic
def customer_erase(*, customer: Customer, actor: AbstractBaseUser) -> Customer:
    """Erase a customer's personal data (right to erasure).

    The customer row stays, anonymised, because orders and commissions are kept (accounting); their
    online life, notes, tasks and visits are deleted; orders and sales lose the name and street address
    but keep city, postal code and coordinates that commission entries are explained by.
    """
    from orders.models import Order, Sale

    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.erased_at is not None:
        raise CustomerErased(_("This customer's data was already erased."))
    BrowsingEvent.objects.filter(customer=locked).delete()
    Cart.objects.filter(customer=locked).delete()
    WishlistItem.objects.filter(customer=locked).delete()
    Visit.objects.filter(customer=locked).delete()
    Note.objects.filter(customer=locked).delete()
    FollowUpTask.objects.filter(customer=locked).delete()
    Order.objects.filter(customer=locked).update(delivery_name="", delivery_line1="", delivery_line2="")
    Sale.objects.filter(customer=locked).update(loyalty_number="")
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
