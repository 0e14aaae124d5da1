"""When a parcel should reach the customer: the one rule behind every delivery date the portal shows (the
checkout's plan, the order page, the tracking page, the confirmation email).

Days are working days, Monday to Friday: carriers and warehouses do not move parcels at the weekend.

1. **Handling**: a parcel leaves its location a number of working days after the order is placed, by the kind
   of location: a warehouse 1 (it packs all day, the carrier collects every evening), a store 2 (associates
   pick between customers, the carrier calls once a day). A parcel that has left counts from the day it left;
   one that should have left and has not leaves today at the earliest (the next working day at a weekend).
2. **Transit**: then the carrier takes a range of working days by the great-circle distance from the location
   to the delivery address: up to 100 km 1 day, up to 400 km 1–2, up to 1,000 km 2–3, farther 3–5; an address
   that could not be placed on the map 1–5.
3. **Pickup**: a pickup order's parcels travel the same way to the pickup store; the lines the pickup store
   holds itself are ready at the counter the day the order is placed or the next working day.

An order is complete when its last parcel arrives: its estimate is the latest of its parcels' (order_estimate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from omniportal.models import LocationKind

if TYPE_CHECKING:
    from collections.abc import Iterable

HANDLING_DAYS = {LocationKind.WAREHOUSE: 1, LocationKind.STORE: 2}
# (up to this many km, fewest days, most days) of transit, nearest band first.
TRANSIT_DAYS: tuple[tuple[float, int, int], ...] = (
    (100.0, 1, 1),
    (400.0, 1, 2),
    (1000.0, 2, 3),
    (float("inf"), 3, 5),
)
TRANSIT_UNLOCATED = (1, 5)
SHELF_TO_COUNTER = (0, 1)  # a pickup store's own stock: ready the same day or the next working day


@dataclass(frozen=True)
class DeliveryEstimate:
    """The first and the last day the parcel (or the order) should arrive; equal when it is one day."""

    earliest: dt.date
    latest: dt.date

    @property
    def is_one_day(self) -> bool:
        return self.earliest == self.latest


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(day: dt.date, days: int) -> dt.date:
    """`day` moved forward by `days` working days (0: `day` itself, even at a weekend)."""
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _on_or_after(day: dt.date) -> dt.date:
    """`day` when it is a working day, else the next one."""
    return day if is_working_day(day) else add_working_days(day, 1)


def transit_days(distance_km: float | None) -> tuple[int, int]:
    """(fewest, most) working days a carrier takes over `distance_km`; None when the address is not on the map."""
    if distance_km is None:
        return TRANSIT_UNLOCATED
    for up_to, fewest, most in TRANSIT_DAYS:
        if distance_km <= up_to:
            return fewest, most
    return TRANSIT_DAYS[-1][1:]  # pragma: no cover - the last band has no upper bound


def parcel_estimate(
    *,
    location_kind: str,
    distance_km: float | None,
    placed_on: dt.date,
    today: dt.date,
    shipped_on: dt.date | None = None,
    at_pickup_store: bool = False,
) -> DeliveryEstimate:
    """When the parcel sent from a location of `location_kind`, `distance_km` from where it goes, arrives.

    `at_pickup_store`: the goods are already at the store where the customer collects them (SHELF_TO_COUNTER).
    """
    if at_pickup_store:
        return DeliveryEstimate(
            add_working_days(placed_on, SHELF_TO_COUNTER[0]), add_working_days(placed_on, SHELF_TO_COUNTER[1])
        )
    if shipped_on is not None:
        leaves = shipped_on
    else:
        leaves = add_working_days(placed_on, HANDLING_DAYS.get(location_kind, HANDLING_DAYS[LocationKind.STORE]))
        leaves = max(leaves, _on_or_after(today))
    fewest, most = transit_days(distance_km)
    return DeliveryEstimate(add_working_days(leaves, fewest), add_working_days(leaves, most))


def order_estimate(parcels: Iterable[DeliveryEstimate]) -> DeliveryEstimate | None:
    """When every parcel should have arrived: the latest earliest and the latest latest; None without parcels."""
    parcels = list(parcels)
    if not parcels:
        return None
    return DeliveryEstimate(max(p.earliest for p in parcels), max(p.latest for p in parcels))
