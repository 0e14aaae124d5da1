"""Reads about orders that more than one caller needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import DeliveryMethod, Order, OrderStatus

if TYPE_CHECKING:
    from inventory.models import Location


def pickups_to_prepare(*, store: Location) -> QuerySet[Order]:
    """Pickup orders at `store` not yet ready, oldest first."""
    return (
        Order.objects.filter(pickup_store=store, delivery_method=DeliveryMethod.PICKUP, status=OrderStatus.PLACED)
        .select_related("customer")
        .order_by("placed_at")
    )
