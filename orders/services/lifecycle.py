"""An order moves along: ship (whole, or parcel by parcel from each supplying location), deliver, hand over at
pickup, cancel, return (whole or some lines), expire at the counter; head office places an unlocated one.

Each move has its stock effect, its history entry, its commission hook and, where the customer hears of it, its
email. The moves allowed from each status are orders.transitions'.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.services import followup_task_create
from inventory.services import StockLine, stock_release, stock_return, stock_ship
from omniportal.models import Location

from .. import commission_hooks
from ..location import valid_coordinates
from ..models import DeliveryMethod, LocationSource, Order, OrderLine, OrderStatus, OrderStatusChange
from ..transitions import allowed_moves
from .errors import AlreadyInStatus, IllegalTransition, OrderError
from .placing import email_after_commit

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.contrib.auth.models import AbstractBaseUser


S = OrderStatus


def _line_stock(line: OrderLine, quantity: int, location: Location | None = None) -> StockLine | None:
    location_id = location.pk if location is not None else line.source_id
    if location_id is None or line.product_id is None or quantity <= 0:
        return None
    return StockLine(location_id, line.product_id, quantity, line.sku)


def _returned_quantities(order_lines: list[OrderLine], lines: list[dict] | None) -> dict[int, int]:
    """Quantity to return per order line id: every remaining unit without `lines`, else the named SKUs."""
    remaining = {line.pk: line.quantity - line.returned_quantity for line in order_lines}
    if not lines:
        return {pk: qty for pk, qty in remaining.items() if qty > 0}
    by_sku: dict[str, list[OrderLine]] = {}
    for line in order_lines:
        by_sku.setdefault(line.sku, []).append(line)
    wanted: dict[int, int] = {}
    for index, item in enumerate(lines):
        sku = str(item.get("sku", ""))
        try:
            quantity = int(item.get("quantity", 0))
        except (TypeError, ValueError):
            quantity = 0
        if sku not in by_sku:
            raise IllegalTransition(_("Line %(index)s: %(sku)s is not in this order.") % {"index": index, "sku": sku})
        if quantity < 1:
            raise IllegalTransition(_("Line %(index)s: the quantity must be at least 1.") % {"index": index})
        for line in by_sku[sku]:
            take = min(quantity, remaining[line.pk] - wanted.get(line.pk, 0))
            if take > 0:
                wanted[line.pk] = wanted.get(line.pk, 0) + take
                quantity -= take
        if quantity > 0:
            raise IllegalTransition(
                _("Line %(index)s: more of %(sku)s than is left to return.") % {"index": index, "sku": sku}
            )
    return wanted


@transaction.atomic
def order_transition(
    *,
    order: Order,
    to_status: str,
    occurred_at: dt.datetime | None = None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    lines: list[dict] | None = None,
    tracking: dict | None = None,
    note: str = "",
    ship_from: Collection[int | None] | None = None,
    reference: str = "",
) -> OrderStatusChange:
    """Move `order` to `to_status` with its stock effects; IllegalTransition when the move is not allowed.

    `shipped` with `ship_from` (location ids; None for lines without a source) ships only the lines sourced there
    that have not shipped yet: a store sends its own parcel of a home delivery split across the network (who may
    is orders.selectors.order_access's rule). The order becomes `shipped` with its last
    parcel; until then it stays `placed`, and the parcel is a history entry of its own (placed → placed, with
    its lines). Without `ship_from` every line not yet shipped ships.

    Stock: cancel and not-collected release the reservation; ship and collect turn it into an on_hand
    decrement; returns put the units back at their source. `returned` with `lines` returns some units
    (the order becomes `partially_returned` until every unit is back).

    A move to the status the order is already in raises AlreadyInStatus having written nothing (no history,
    stock movement, email, commission event or tracking change): see `_is_repeat`. So does a move whose
    `reference` (the integrator's id for it, such as its return number) this order has already recorded: a
    retried partial return is then applied once.
    """
    occurred_at = occurred_at or timezone.now()
    order = Order.objects.select_for_update().get(pk=order.pk)
    reference = reference.strip()[:100]
    if reference and order.history.filter(reference=reference).exists():
        raise AlreadyInStatus(_("This move was already recorded; nothing changed."))
    if (
        to_status == S.SHIPPED
        and ship_from is not None
        and order.status == S.PLACED
        and S.SHIPPED in allowed_moves(order)
    ):
        return _ship_parcel(order, set(ship_from), occurred_at, actor, actor_label, tracking, note)
    if _is_repeat(order, to_status, lines):
        raise AlreadyInStatus(
            _("The order is already %(status)s; nothing changed.") % {"status": order.get_status_display().lower()}
        )
    if to_status not in allowed_moves(order):
        raise IllegalTransition(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": order.get_status_display().lower(), "target": _status_label(to_status).lower()}
        )
    order_lines = list(order.lines.order_by("pk"))
    from_status = order.status
    final_status = to_status
    recorded_lines: list[dict] = []
    if to_status == S.CANCELLED and any(line.shipped_quantity for line in order_lines):
        raise IllegalTransition(_("Part of this order has shipped, so it can no longer be cancelled."))
    if to_status in {S.CANCELLED, S.NOT_COLLECTED}:
        stock = [_line_stock(line, line.reserved_quantity) for line in order_lines]
        stock_release(lines=[s for s in stock if s], reference=order.number, occurred_at=occurred_at)
        for line in order_lines:
            line.cancelled_quantity = line.quantity
            line.reserved_quantity = 0
        OrderLine.objects.bulk_update(order_lines, ["cancelled_quantity", "reserved_quantity"])
    elif to_status in {S.SHIPPED, S.COLLECTED}:
        _ship_lines(order, order_lines, occurred_at)
    elif to_status == S.RETURNED:
        wanted = _returned_quantities(order_lines, lines)
        if not wanted:
            raise IllegalTransition(_("Nothing is left to return."))
        returned_to = order.pickup_store if order.delivery_method == DeliveryMethod.PICKUP else None
        stock = [
            _line_stock(line, wanted.get(line.pk, 0), None if line.source_id else returned_to) for line in order_lines
        ]
        stock_return(lines=[s for s in stock if s], reference=order.number, occurred_at=occurred_at)
        for line in order_lines:
            if line.pk in wanted:
                line.returned_quantity += wanted[line.pk]
                recorded_lines.append({"sku": line.sku, "quantity": wanted[line.pk]})
        OrderLine.objects.bulk_update(order_lines, ["returned_quantity"])
        if any(line.returned_quantity < line.quantity for line in order_lines):
            final_status = S.PARTIALLY_RETURNED
    update_fields = ["status", "updated_at"]
    order.status = final_status
    if to_status == S.SHIPPED and tracking:
        update_fields += _set_tracking(order, tracking)
    order.save(update_fields=update_fields)
    change = _record_change(
        order,
        from_status=from_status,
        occurred_at=occurred_at,
        actor=actor,
        actor_label=actor_label,
        lines=recorded_lines,
        note=note,
        reference=reference,
    )
    if final_status in {S.DELIVERED, S.COLLECTED}:
        _aftersales_task(order, actor)
    if final_status == S.READY:
        email_after_commit(order, "ready")
    return change


def _ship_lines(order: Order, lines: list[OrderLine], occurred_at: dt.datetime) -> None:
    """Ship `lines` of `order`: their reservation becomes an on_hand decrement at their source."""
    stock = [_line_stock(line, line.reserved_quantity) for line in lines]
    stock_ship(lines=[s for s in stock if s], reference=order.number, occurred_at=occurred_at)
    for line in lines:
        line.shipped_quantity = line.quantity
        line.reserved_quantity = 0
    OrderLine.objects.bulk_update(lines, ["shipped_quantity", "reserved_quantity"])


def _set_tracking(order: Order, tracking: dict) -> list[str]:
    """Put the carrier's tracking on `order`; the fields to save."""
    order.carrier = str(tracking.get("carrier") or "")[:100]
    order.tracking_number = str(tracking.get("number") or "")[:100]
    order.tracking_url = str(tracking.get("url") or "")[:500]
    return ["carrier", "tracking_number", "tracking_url"]


def _ship_parcel(
    order: Order,
    ship_from: set[int | None],
    occurred_at: dt.datetime,
    actor: AbstractBaseUser | None,
    actor_label: str,
    tracking: dict | None,
    note: str,
) -> OrderStatusChange:
    """One location's parcel of a placed order (order_transition with `ship_from`); the last one ships it."""
    order_lines = list(order.lines.order_by("pk"))
    parcel = [line for line in order_lines if line.source_id in ship_from and line.shipped_quantity < line.quantity]
    if not parcel:
        raise AlreadyInStatus(_("Nothing is left to ship from here; nothing changed."))
    _ship_lines(order, parcel, occurred_at)
    complete = all(line.shipped_quantity >= line.quantity for line in order_lines)
    update_fields = ["updated_at"]
    if complete:
        order.status = S.SHIPPED
        update_fields.append("status")
    if tracking:
        update_fields += _set_tracking(order, tracking)
    order.save(update_fields=update_fields)
    parcel_note = note or " · ".join(filter(None, [(tracking or {}).get("carrier"), (tracking or {}).get("number")]))
    return _record_change(
        order,
        from_status=S.PLACED,
        occurred_at=occurred_at,
        actor=actor,
        actor_label=actor_label,
        # The source says whose parcel this was: the order page shows each parcel's state from it.
        lines=[{"sku": line.sku, "quantity": line.quantity, "source": line.source_id} for line in parcel],
        note=str(parcel_note),
    )


def _record_change(
    order: Order,
    *,
    from_status: str,
    occurred_at: dt.datetime,
    actor: AbstractBaseUser | None,
    actor_label: str,
    lines: list[dict],
    note: str,
    reference: str = "",
) -> OrderStatusChange:
    """The history entry of a move to `order`'s (saved) status, handed to the commission ledger."""
    change = OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=order.status,
        occurred_at=occurred_at,
        actor=actor,
        actor_label=actor_label[:100],
        lines=lines,
        note=note[:300],
        reference=reference,
    )
    commission_hooks.order_status_changed(change)
    return change


def _is_repeat(order: Order, to_status: str, lines: list[dict] | None) -> bool:
    """Is moving `order` to `to_status` a repeat of a move already made? A return is one only when it names no
    lines or only units that are already back (a fully returned order has nothing left to return)."""
    if order.status != to_status:
        return False
    if to_status != S.RETURNED or not lines:
        return True
    returned: dict[str, int] = {}
    for line in order.lines.all():
        returned[line.sku] = returned.get(line.sku, 0) + line.returned_quantity
    named: dict[str, int] = {}
    for item in lines:
        try:
            quantity = int(item.get("quantity", 0))
        except (TypeError, ValueError):
            return False
        if quantity < 1:
            return False
        sku = str(item.get("sku", ""))
        named[sku] = named.get(sku, 0) + quantity
    return all(quantity <= returned.get(sku, 0) for sku, quantity in named.items())


def _status_label(status: str) -> str:
    return str(dict(OrderStatus.choices).get(status, status))


def _aftersales_task(order: Order, actor: AbstractBaseUser | None) -> None:
    store = order.pickup_store if order.delivery_method == DeliveryMethod.PICKUP else order.selling_store
    if store is None or order.customer_id is None:
        return  # an online home delivery has no store of its own to call the customer
    if order.customer.erased_at is not None or not order.customer.consent_clienteling:
        return  # a follow-up call is clienteling: only with the customer's consent
    followup_task_create(
        customer=order.customer,
        store=store,
        title=_("After-sales call for order %(number)s") % {"number": order.number},
        created_by=actor,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        reference=f"aftersales:{order.number}",
    )


@transaction.atomic
def order_set_location(*, order: Order, lat: float, lon: float, actor: AbstractBaseUser | None = None) -> Order:
    """Head office places an order by hand; the commission held for it is then credited."""
    if not valid_coordinates(lat, lon):
        raise OrderError(_("Latitude and longitude must be within ±90 and ±180."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    order.delivery_lat, order.delivery_lon = float(lat), float(lon)
    order.location_source = LocationSource.MANUAL
    order.save(update_fields=["delivery_lat", "delivery_lon", "location_source", "updated_at"])
    commission_hooks.order_located(order)
    return order


@transaction.atomic
def pickups_expire(*, now: dt.datetime | None = None) -> int:
    """Return to stock every pickup order ready for longer than PICKUP_HOLD_DAYS; safe to run twice."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PICKUP_HOLD_DAYS)
    overdue = Order.objects.filter(
        delivery_method=DeliveryMethod.PICKUP,
        status=S.READY,
        history__to_status=S.READY,
        history__occurred_at__lt=cutoff,
    ).distinct()
    moved = 0
    for order in overdue:
        try:
            order_transition(order=order, to_status=S.NOT_COLLECTED, occurred_at=now, actor_label="pickup expiry job")
        except IllegalTransition:
            continue  # moved meanwhile (collected at the counter): nothing to do
        moved += 1
    return moved
