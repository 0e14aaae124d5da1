"""Where an order's goods come from and when they arrive: the parcels of an order (one per location that holds
lines of it), the shipments of a basket's plan at the checkout, and the steps the customer's tracking page shows.

Who may mark a parcel shipped is orders.selectors.sends_parcel; when a parcel arrives is orders.estimates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omniportal.geo import haversine_km
from omniportal.models import LocationKind

from .estimates import DeliveryEstimate, order_estimate, parcel_estimate
from .models import DeliveryMethod, OrderStatus

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from omniportal.models import Location

    from .models import Order, OrderLine, OrderStatusChange
    from .selectors import FulfilmentPlan, PlanLine

S = OrderStatus
# Once an order is here its parcels have no date left to wait for.
ARRIVED_OR_ENDED = {
    S.DELIVERED,
    S.COLLECTED,
    S.RETURNED,
    S.PARTIALLY_RETURNED,
    S.CANCELLED,
    S.NOT_COLLECTED,
}


class ParcelState:
    WAITING = "waiting"  # home delivery: not sent yet
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RESERVED = "reserved"  # pickup: held for the customer, on its way to or at the pickup store
    AT_COUNTER = "at_counter"
    HANDED_OVER = "handed_over"
    RELEASED = "released"  # cancelled or never collected: back in stock

    LABELS: dict[str, Promise] = {
        WAITING: _("Waiting to be sent"),
        SHIPPED: _("Shipped"),
        DELIVERED: _("Delivered"),
        RESERVED: _("Reserved for pickup"),
        AT_COUNTER: _("At the counter"),
        HANDED_OVER: _("Handed over"),
        RELEASED: _("Back in stock"),
    }


@dataclass
class Parcel:
    """The lines of an order one location holds (`location` None: lines no location of the portal holds)."""

    location: Location | None
    lines: list[OrderLine]
    state: str
    shipped_at: dt.datetime | None = None
    tracking: str = ""  # carrier and number, as recorded when it was shipped
    estimate: DeliveryEstimate | None = None
    at_pickup_store: bool = False
    sendable: bool = False  # the viewer marks it shipped now (order_access.ship_from, and not shipped yet)

    @property
    def key(self) -> int:
        """The parcel as the order page's ship form names it: its location's id, 0 for no location."""
        return self.location.pk if self.location is not None else 0

    @property
    def state_label(self) -> str:
        return str(ParcelState.LABELS[self.state])


def _distance(location: Location | None, order: Order) -> float | None:
    if location is None or not order.is_located:
        return None
    return haversine_km(location.lat, location.lon, order.delivery_lat, order.delivery_lon)


def _shipping_entries(
    history: list[OrderStatusChange],
) -> tuple[dict[int | None, OrderStatusChange], dict[str, OrderStatusChange], OrderStatusChange | None]:
    """The history's shipments: parcel entries by the source they name, older ones by SKU, and the move that
    shipped the whole order at once (the API's, or one with every parcel)."""
    by_source: dict[int | None, OrderStatusChange] = {}
    by_sku: dict[str, OrderStatusChange] = {}
    whole = None
    for change in history:
        if change.to_status not in {S.PLACED, S.SHIPPED} or change.from_status != S.PLACED:
            continue
        if not change.lines:
            whole = change
        for item in change.lines:
            if "source" in item:
                by_source.setdefault(item["source"], change)
            by_sku.setdefault(str(item.get("sku", "")), change)
    return by_source, by_sku, whole


def order_parcels(
    *,
    order: Order,
    lines: list[OrderLine],
    history: list[OrderStatusChange],
    ship_from: set[int | None],
    today: dt.date | None = None,
) -> list[Parcel]:
    """The order's parcels, in the order of their first line, each with its state, tracking and estimate.

    `lines` carry their source; `history` is the order's (oldest first); `ship_from` is what the viewer sends
    (order_access). No query.
    """
    today = today or timezone.localdate()
    placed_on = timezone.localdate(order.placed_at)
    pickup = order.delivery_method == DeliveryMethod.PICKUP
    by_source, by_sku, whole = _shipping_entries(history)
    grouped: dict[int | None, list[OrderLine]] = {}
    for line in lines:
        grouped.setdefault(line.source_id, []).append(line)
    parcels = []
    for source_id, held in grouped.items():
        location = held[0].source
        shipped = all(line.shipped_quantity >= line.quantity for line in held)
        entry = by_source.get(source_id) or next((by_sku[x.sku] for x in held if x.sku in by_sku), None)
        entry = entry or (whole if shipped else None)
        parcel = Parcel(location, held, _state(order, shipped, pickup))
        parcel.at_pickup_store = pickup and source_id is not None and source_id == order.pickup_store_id
        if shipped and not pickup and entry is not None:
            parcel.shipped_at = entry.occurred_at
            parcel.tracking = entry.note if entry is not whole else _order_tracking(order)
        if order.status not in ARRIVED_OR_ENDED and not (pickup and order.status == S.READY):
            parcel.estimate = parcel_estimate(
                location_kind=location.kind if location is not None else LocationKind.WAREHOUSE,
                distance_km=_distance(location, order),
                placed_on=placed_on,
                today=today,
                shipped_on=timezone.localdate(parcel.shipped_at) if parcel.shipped_at else None,
                at_pickup_store=parcel.at_pickup_store,
            )
        parcel.sendable = not shipped and not pickup and source_id in ship_from and order.status == S.PLACED
        parcels.append(parcel)
    return parcels


def _state(order: Order, shipped: bool, pickup: bool) -> str:
    if order.status in {S.CANCELLED, S.NOT_COLLECTED}:
        return ParcelState.RELEASED
    if pickup:
        if order.status == S.READY:
            return ParcelState.AT_COUNTER
        if shipped or order.status in {S.COLLECTED, S.RETURNED, S.PARTIALLY_RETURNED}:
            return ParcelState.HANDED_OVER
        return ParcelState.RESERVED
    if order.status in {S.DELIVERED, S.RETURNED, S.PARTIALLY_RETURNED}:
        return ParcelState.DELIVERED
    return ParcelState.SHIPPED if shipped else ParcelState.WAITING


def _order_tracking(order: Order) -> str:
    return " · ".join(filter(None, [order.carrier, order.tracking_number]))


def parcels_estimate(parcels: list[Parcel]) -> DeliveryEstimate | None:
    """When the whole order should be there (or ready at the counter): its last parcel's estimate."""
    return order_estimate(parcel.estimate for parcel in parcels if parcel.estimate is not None)


# --- the checkout: the plan's shipments -------------------------------------------------------------------


@dataclass
class PlannedShipment:
    """What one location of a basket's plan sends, and when it should arrive."""

    location: Location
    lines: list[PlanLine] = field(default_factory=list)
    distance_km: float | None = None
    estimate: DeliveryEstimate | None = None
    at_pickup_store: bool = False


def plan_shipments(
    plan: FulfilmentPlan, *, pickup_store: Location | None = None, today: dt.date | None = None
) -> list[PlannedShipment]:
    """The plan's locations in the order of their first line, with their lines and the estimate of their parcel
    if the order were placed today. Short lines are in none. No query."""
    today = today or timezone.localdate()
    shipments: dict[int, PlannedShipment] = {}
    for line in plan.lines:
        if line.location is None:
            continue
        shipment = shipments.get(line.location.pk)
        if shipment is None:
            at_counter = pickup_store is not None and line.location.pk == pickup_store.pk
            distance = line.distance_km if plan.located else None
            shipment = shipments[line.location.pk] = PlannedShipment(
                line.location,
                distance_km=distance,
                at_pickup_store=at_counter,
                estimate=parcel_estimate(
                    location_kind=line.location.kind,
                    distance_km=distance,
                    placed_on=today,
                    today=today,
                    at_pickup_store=at_counter,
                ),
            )
        shipment.lines.append(line)
    return list(shipments.values())


# --- the customer's tracking page -----------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingStep:
    label: str
    done: bool
    current: bool
    at: dt.datetime | None = None
    ended: bool = False  # the order left the usual path here (cancelled, returned, not collected)


HOME_PATH = (S.PLACED, S.SHIPPED, S.DELIVERED)
PICKUP_PATH = (S.PLACED, S.READY, S.COLLECTED)
STEP_LABELS: dict[str, Promise] = {
    S.PLACED: _("Order placed"),
    S.SHIPPED: _("On its way"),
    S.DELIVERED: _("Delivered"),
    S.READY: _("Ready for pickup"),
    S.COLLECTED: _("Collected"),
    S.CANCELLED: _("Cancelled"),
    S.NOT_COLLECTED: _("Not collected"),
    S.RETURNED: _("Returned"),
    S.PARTIALLY_RETURNED: _("Partly returned"),
}


def tracking_steps(order: Order, history: list[OrderStatusChange]) -> list[TrackingStep]:
    """The usual path of the order (placed, on its way, delivered; or placed, ready, collected) with the time
    each step was reached, then where it left that path, if it did. No query."""
    reached: dict[str, dt.datetime] = {}
    for change in history:
        reached.setdefault(change.to_status, change.occurred_at)
    path = PICKUP_PATH if order.delivery_method == DeliveryMethod.PICKUP else HOME_PATH
    ended = order.status not in path
    position = (
        path.index(order.status) if not ended else max((i for i, s in enumerate(path) if s in reached), default=0)
    )
    steps = [
        TrackingStep(
            str(STEP_LABELS[status]),
            done=i <= position,
            current=i == position and not ended,
            at=reached.get(status),
        )
        for i, status in enumerate(path)
    ]
    if ended:
        steps.append(TrackingStep(str(STEP_LABELS[order.status]), True, True, reached.get(order.status), ended=True))
    return steps
