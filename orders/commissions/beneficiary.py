"""Which store an order credits: the pickup store, else the eligible store nearest the delivery place."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from inventory.nearest import InvalidPoint, StoreIndex, store_index
from omniportal.geo import haversine_km
from omniportal.models import Location

from ..models import DeliveryMethod, LocationSource, Order

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Beneficiary:
    store_id: int
    store_code: str
    distance_km: float | None
    reason: str  # "pickup" | "nearest"


def order_point(order: Order) -> tuple[float, float] | None:
    """The delivery place as (lat, lon), or None while the order has none."""
    if order.delivery_lat is None or order.delivery_lon is None:
        return None
    return order.delivery_lat, order.delivery_lon


def commission_beneficiary(
    *, order: Order, stores: dict[int, Location] | None = None, index: StoreIndex | None = None
) -> Beneficiary | None:
    """The store credited for `order`; None while a home delivery is unlocated or no store is eligible.

    `stores` (pickup stores by id) and `index` let a batch avoid a query per order.
    """
    point = order_point(order)
    if order.delivery_method == DeliveryMethod.PICKUP and order.pickup_store_id is not None:
        pickup = (stores or {}).get(order.pickup_store_id) or Location.objects.get(pk=order.pickup_store_id)
        km = haversine_km(point[0], point[1], pickup.lat, pickup.lon) if point else None
        return Beneficiary(store_id=pickup.pk, store_code=pickup.code, distance_km=km, reason="pickup")
    if point is None or order.location_source == LocationSource.UNLOCATED:
        return None
    try:
        found = (index or store_index(commission_eligible=True)).nearest_entry(*point)
    except InvalidPoint:
        logger.warning("order %s has an impossible delivery location %r; commission held", order.number, point)
        return None
    if found is None:
        return None
    entry, km = found
    return Beneficiary(store_id=entry[3].pk, store_code=entry[2], distance_km=km, reason="nearest")
