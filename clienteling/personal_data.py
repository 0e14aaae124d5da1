"""Right of access and right to erasure across apps (GDPR articles 15 and 17).

Clienteling owns the customer, so it owns the two procedures (`customer_export`, `customer_erase` in services).
Every app that keeps personal data about a customer registers a handler here, in its AppConfig.ready(): its part
of the export and how it erases that part. This app never names the apps above it (pretix's data shredders are
the model). Clienteling's own rows are one handler like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import BrowsingEvent, Cart, Customer, FollowUpTask, Note, Visit, WishlistItem


@dataclass(frozen=True)
class PersonalDataHandler:
    """One app's personal data about a customer.

    `export(customer)` returns JSON-ready sections ({"orders": [...]}) for the export; `erase(customer)` removes or
    anonymises them, inside the erasure's transaction, before the customer row itself is anonymised.
    """

    name: str
    export: Callable[[Customer], dict[str, Any]]
    erase: Callable[[Customer], None]


_handlers: dict[str, PersonalDataHandler] = {}


def register_handler(handler: PersonalDataHandler) -> None:
    _handlers[handler.name] = handler


def personal_data_handlers() -> list[PersonalDataHandler]:
    """Every registered handler, in the order the apps registered them (INSTALLED_APPS order)."""
    return list(_handlers.values())


# --- helpers for handlers ---------------------------------------------------------------------------------------


def iso(value: Any) -> Any:
    """A date or time as ISO 8601 text; anything else as it is."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def rows(queryset: QuerySet, fields: list[str]) -> list[dict[str, Any]]:
    """`fields` of each row as JSON-ready values."""
    return [{key: iso(value) for key, value in row.items()} for row in queryset.values(*fields)]


# --- clienteling's own rows ---------------------------------------------------------------------------------------


def _export(customer: Customer) -> dict[str, Any]:
    carts = [
        {
            "cart_id": cart.cart_id,
            "status": cart.status,
            "currency": cart.currency,
            "updated_at": iso(cart.source_updated_at),
            "lines": [
                {"sku": line.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)}
                for line in cart.lines.all()
            ],
        }
        for cart in Cart.objects.filter(customer=customer).prefetch_related("lines").order_by("source_updated_at")
    ]
    events = rows(
        BrowsingEvent.objects.filter(customer=customer).order_by("occurred_at", "id"),
        ["event_id", "type", "occurred_at", "session_id", "sku", "quantity", "query", "channel", "device"],
    )
    for event in events:
        event["event_id"] = str(event["event_id"])
    return {
        "events": events,
        "carts": carts,
        "wishlist": rows(WishlistItem.objects.filter(customer=customer).order_by("added_at"), ["sku", "added_at"]),
        "visits": rows(
            Visit.objects.filter(customer=customer).order_by("seen_at"), ["store__code", "seen_at", "source"]
        ),
        "notes": rows(
            Note.objects.filter(customer=customer).order_by("created_at"),
            ["body", "created_at", "author__username", "store__code"],
        ),
        "tasks": rows(
            FollowUpTask.objects.filter(customer=customer).order_by("created_at"),
            ["title", "status", "due_on", "created_at", "completed_at", "store__code", "assigned_to__username"],
        ),
    }


def _erase(customer: Customer) -> None:
    """The customer's online life, notes, tasks and visits go; nothing of them is needed for accounting."""
    for model in (BrowsingEvent, Cart, WishlistItem, Visit, Note, FollowUpTask):
        model.objects.filter(customer=customer).delete()


def register() -> None:
    """Clienteling's handler (called from ClientelingConfig.ready)."""
    register_handler(PersonalDataHandler("clienteling", _export, _erase))
