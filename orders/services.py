"""Writes about orders: baskets, placing, the lifecycle. Views, API, admin and tasks all call these."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services import (
    InsufficientStock,
    ShortLine,
    StockLine,
    stock_release,
    stock_reserve,
    stock_return,
    stock_ship,
)
from omniportal.models import Location

from . import commission_hooks
from .location import ResolvedLocation, delivery_location_resolve, is_country_code, valid_coordinates
from .models import (
    Basket,
    BasketLine,
    BasketStatus,
    DeliveryMethod,
    LocationSource,
    Order,
    OrderChannel,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from .selectors import FulfilmentPlan, PlanRequest, fulfilment_plan

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.contrib.auth.models import AbstractBaseUser

    from clienteling.models import Customer
    from inventory.models import Product


class OrderError(Exception):
    """An order rule said no; the message is safe to show to the associate."""


class BasketError(OrderError):
    pass


MAX_LINE_QUANTITY = 999


# --- baskets ------------------------------------------------------------------------------------------------


def _check_customer(customer: Customer) -> None:
    if customer.erased_at is not None:
        raise BasketError(_("This customer's data was erased."))


def basket_open(*, customer: Customer, store: Location, actor: AbstractBaseUser) -> Basket:
    """The customer's open basket at `store`, created when there is none (one open basket per customer and store)."""
    _check_customer(customer)
    basket = Basket.objects.filter(customer=customer, store=store, status=BasketStatus.OPEN).order_by("-pk").first()
    if basket is None:
        basket = Basket.objects.create(customer=customer, store=store, created_by=actor)
    return basket


@transaction.atomic
def basket_add(*, basket: Basket, product: Product, quantity: int = 1) -> BasketLine:
    """Add `quantity` of `product` (merged with an existing line, capped at MAX_LINE_QUANTITY)."""
    if basket.status != BasketStatus.OPEN:
        raise BasketError(_("This basket is no longer open."))
    if quantity < 1:
        raise BasketError(_("The quantity must be at least 1."))
    if not product.active:
        raise BasketError(_("%(sku)s is no longer sold.") % {"sku": product.sku})
    line = BasketLine.objects.select_for_update().filter(basket=basket, product=product).first()
    if line is None:
        try:
            with transaction.atomic():
                return BasketLine.objects.create(
                    basket=basket, product=product, quantity=min(quantity, MAX_LINE_QUANTITY)
                )
        except IntegrityError:  # a second tap raced us: fall through and merge
            line = BasketLine.objects.select_for_update().get(basket=basket, product=product)
    line.quantity = min(line.quantity + quantity, MAX_LINE_QUANTITY)
    line.save(update_fields=["quantity"])
    return line


def basket_line_update(
    *, basket: Basket, line_id: int, quantity: int | None = None, source: Location | None | bool = False
) -> BasketLine | None:
    """Change a line's quantity (0 removes it) and/or its source override (None = follow the plan)."""
    if basket.status != BasketStatus.OPEN:
        raise BasketError(_("This basket is no longer open."))
    line = BasketLine.objects.filter(basket=basket, pk=line_id).first()
    if line is None:
        raise BasketError(_("This line is no longer in the basket."))
    if quantity is not None:
        if quantity <= 0:
            line.delete()
            return None
        line.quantity = min(quantity, MAX_LINE_QUANTITY)
    if source is not False:
        line.source = source  # type: ignore[assignment]
    line.save()
    return line


@transaction.atomic
def basket_start_from_cart(*, customer: Customer, store: Location, actor: AbstractBaseUser) -> Basket:
    """Turn the customer's current online cart into (the lines of) their open endless-aisle basket at `store`.

    The cart is clienteling data, so it needs the customer's consent. Cart lines whose SKU is not (yet) in the
    catalogue are skipped; a line already in the basket takes the cart's quantity.
    """
    from clienteling.selectors import customer_current_cart

    _check_customer(customer)
    if not customer.consent_clienteling:
        raise BasketError(_("Without clienteling consent the online cart is not used."))
    cart = customer_current_cart(customer=customer)
    if cart is None:
        raise BasketError(_("This customer has no active online cart."))
    basket = basket_open(customer=customer, store=store, actor=actor)
    existing = {line.product_id: line for line in basket.lines.select_for_update()}
    for cart_line in cart.lines.all():
        product = cart_line.product
        if product is None or not product.active or cart_line.quantity < 1:
            continue
        quantity = min(cart_line.quantity, MAX_LINE_QUANTITY)
        line = existing.get(product.pk)
        if line is None:
            existing[product.pk] = BasketLine.objects.create(basket=basket, product=product, quantity=quantity)
        elif line.quantity != quantity:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
    basket.from_cart = cart
    basket.save(update_fields=["from_cart", "updated_at"])
    return basket


# --- placing ------------------------------------------------------------------------------------------------


class AddressInvalid(OrderError):
    """`errors` maps field name → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class OrderShort(OrderError):
    """Placing failed on stock: nothing was reserved. `short` lists the short lines and what is possible."""

    def __init__(self, short: list[ShortLine], message: str) -> None:
        self.short = short
        super().__init__(message)


class IllegalTransition(OrderError):
    pass


class AlreadyInStatus(IllegalTransition):
    """The order already is in the status asked for: a repeat (a retried API call, a double tap), so nothing was
    written. A caller that retries treats it as done; to any other caller it is a move that was not made."""


@dataclass(frozen=True)
class DeliveryAddress:
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    lat: float | None = None
    lon: float | None = None

    @classmethod
    def from_customer(cls, customer: Customer) -> DeliveryAddress:
        return cls(
            name=f"{customer.first_name} {customer.last_name}".strip(),
            line1=customer.address_line1,
            line2=customer.address_line2,
            city=customer.city,
            postal_code=customer.postal_code,
            country=customer.country,
            lat=customer.lat,
            lon=customer.lon,
        )


def delivery_address_validate(address: DeliveryAddress) -> DeliveryAddress:
    """A deliverable home address (normalised), else AddressInvalid naming every bad field."""
    address = DeliveryAddress(
        name=address.name.strip()[:200],
        line1=address.line1.strip(),
        line2=address.line2.strip(),
        city=address.city.strip(),
        postal_code=" ".join(address.postal_code.upper().split()),
        country=address.country.strip().upper(),
        lat=address.lat,
        lon=address.lon,
    )
    errors: dict[str, str] = {}
    if not address.line1:
        errors["line1"] = _("The street address is required for home delivery.")
    elif len(address.line1) > 200:
        errors["line1"] = _("At most 200 characters.")
    if len(address.line2) > 200:
        errors["line2"] = _("At most 200 characters.")
    if not address.city:
        errors["city"] = _("The city is required for home delivery.")
    elif len(address.city) > 100:
        errors["city"] = _("At most 100 characters.")
    if not address.postal_code:
        errors["postal_code"] = _("The postal code is required for home delivery.")
    elif len(address.postal_code) > 20:
        errors["postal_code"] = _("At most 20 characters.")
    if not is_country_code(address.country):
        errors["country"] = _("Use the two-letter ISO country code (e.g. IT).")
    if (address.lat is None) != (address.lon is None) or (
        address.lat is not None and not valid_coordinates(address.lat, address.lon)
    ):
        errors["lat"] = _("Latitude and longitude go together, within ±90 and ±180.")
    if errors:
        raise AddressInvalid(errors)
    return address


@dataclass(frozen=True)
class PlacedLine:
    product: Product | None
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    source: Location | None = None


def _number_for(pk: int) -> str:
    return f"OMN-{pk:08d}"


@transaction.atomic
def order_place(
    *,
    channel: str,
    lines: list[PlacedLine],
    delivery_method: str,
    currency: str,
    customer: Customer | None = None,
    customer_external_id: str = "",
    address: DeliveryAddress | None = None,
    pickup_store: Location | None = None,
    selling_store: Location | None = None,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    external_id: str | None = None,
    placed_at: dt.datetime | None = None,
    till_receipt: str = "",
    shipping_amount: Decimal = Decimal("0"),
) -> Order:
    """Create an order: number, lines, all-or-nothing reservation of the lines with a source, delivery location,
    status history "placed", the commission hook, and the confirmation email after commit.

    Raises OrderShort (nothing written) when a sourced line cannot be reserved.
    """
    if not lines:
        raise OrderError(_("An order needs at least one line."))
    placed_at = placed_at or timezone.now()
    address = address or DeliveryAddress()
    if delivery_method == DeliveryMethod.PICKUP:
        if pickup_store is None:
            raise OrderError(_("A pickup order needs a pickup store."))
        # The customer collects at the store, so that is where the order is delivered, whatever address came
        # with it (an online pickup often carries the customer's home address too).
        location = ResolvedLocation(pickup_store.lat, pickup_store.lon, LocationSource.GIVEN)
    else:
        location = delivery_location_resolve(
            country=address.country,
            postal_code=address.postal_code,
            city=address.city,
            lat=address.lat,
            lon=address.lon,
        )
    order = Order.objects.create(
        number=f"tmp-{secrets.token_hex(8)}",
        external_id=external_id,
        channel=channel,
        customer=customer,
        customer_external_id=customer_external_id or (customer.external_id or "" if customer else ""),
        selling_store=selling_store,
        placed_by=actor,
        placed_at=placed_at,
        currency=currency,
        shipping_amount=shipping_amount,
        till_receipt=till_receipt,
        delivery_method=delivery_method,
        pickup_store=pickup_store,
        delivery_name=address.name,
        delivery_line1=address.line1,
        delivery_line2=address.line2,
        delivery_city=address.city,
        delivery_postal_code=address.postal_code,
        delivery_country=address.country,
        delivery_lat=location.lat,
        delivery_lon=location.lon,
        location_source=location.source,
    )
    order.number = _number_for(order.pk)
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            source=line.source,
            reserved_quantity=line.quantity if line.source is not None and line.product is not None else 0,
        )
        for line in lines
    )
    to_reserve = [
        StockLine(line.source.pk, line.product.pk, line.quantity, line.sku)
        for line in lines
        if line.source is not None and line.product is not None
    ]
    if any(line.source is not None and line.product is None for line in lines):
        raise OrderError(_("A line with a source needs a product from the catalogue."))
    if to_reserve:
        try:
            stock_reserve(lines=to_reserve, reference=order.number, occurred_at=placed_at)
        except InsufficientStock as exc:
            codes = dict(Location.objects.filter(pk__in={s.location_id for s in exc.short}).values_list("pk", "code"))
            short = [ShortLine(s.label, s.location_id, s.requested, s.available) for s in exc.short]
            message = _("Not enough stock, nothing was reserved: ") + "; ".join(
                _("%(sku)s at %(location)s: %(requested)s requested, %(available)s available")
                % {
                    "sku": s.label,
                    "location": codes.get(s.location_id, "?"),
                    "requested": s.requested,
                    "available": s.available,
                }
                for s in short
            )
            raise OrderShort(short, message) from exc
    OrderStatusChange.objects.create(
        order=order,
        from_status="",
        to_status=OrderStatus.PLACED,
        occurred_at=placed_at,
        actor=actor,
        actor_label=actor_label,
    )
    commission_hooks.order_created(order)
    _email_after_commit(order, "confirmation")
    return order


def _email_after_commit(order: Order, kind: str) -> None:
    from .tasks_orders import send_order_email

    order_pk = order.pk
    transaction.on_commit(lambda: send_order_email.delay(order_pk, kind))


@transaction.atomic
def basket_checkout(
    *,
    basket: Basket,
    address: DeliveryAddress,
    till_receipt: str,
    actor: AbstractBaseUser,
) -> Order:
    """Place the endless-aisle order for an open basket, delivered home along the proposed plan (with overrides)."""
    basket = Basket.objects.select_for_update().select_related("customer", "store").get(pk=basket.pk)
    if basket.status != BasketStatus.OPEN:
        raise BasketError(_("This basket was already ordered."))
    till_receipt = till_receipt.strip()
    if not till_receipt:
        raise OrderError(_("Enter the till receipt reference of the payment."))
    if len(till_receipt) > 64:
        raise OrderError(_("The till receipt reference is at most 64 characters."))
    address = delivery_address_validate(address)
    basket_lines = list(basket.lines.select_related("product").order_by("pk"))
    if not basket_lines:
        raise BasketError(_("The basket is empty."))
    plan = basket_plan(basket=basket, address=address, lines=basket_lines)
    if plan.short_lines:
        # A line ships from one location, so what is still possible is the most that one location holds.
        short, reasons = [], []
        for line in plan.short_lines:
            most = line.most_available
            values = {"sku": line.request.sku, "requested": line.request.quantity}
            if most is None:
                short.append(ShortLine(line.request.sku, 0, line.request.quantity, 0))
                reasons.append(_("%(sku)s: %(requested)s requested, none available") % values)
            else:
                short.append(ShortLine(line.request.sku, most.location.pk, line.request.quantity, most.atp))
                values |= {"available": most.atp, "location": most.location.name}
                reasons.append(
                    _("%(sku)s: %(requested)s requested, only %(available)s available (%(location)s)") % values
                )
        raise OrderShort(short, _("Not enough stock, nothing was reserved: ") + "; ".join(reasons))
    by_key = {line.request.key: line for line in plan.lines}
    order = order_place(
        channel=OrderChannel.ENDLESS_AISLE,
        customer=basket.customer,
        selling_store=basket.store,
        actor=actor,
        address=address,
        delivery_method=DeliveryMethod.HOME,
        currency=basket_lines[0].product.currency,
        till_receipt=till_receipt,
        lines=[
            PlacedLine(
                product=line.product,
                sku=line.product.sku,
                quantity=line.quantity,
                unit_price=line.product.price,
                source=by_key[line.pk].location,
            )
            for line in basket_lines
        ],
    )
    basket.status = BasketStatus.ORDERED
    basket.order = order
    basket.save(update_fields=["status", "order", "updated_at"])
    return order


def basket_plan(*, basket: Basket, address: DeliveryAddress, lines: list[BasketLine] | None = None) -> FulfilmentPlan:
    """The proposed fulfilment plan for a basket delivered to `address` (distances from its resolved location)."""
    if lines is None:
        lines = list(basket.lines.select_related("product").order_by("pk"))
    resolved = delivery_location_resolve(
        country=address.country, postal_code=address.postal_code, city=address.city, lat=address.lat, lon=address.lon
    )
    origin = (resolved.lat, resolved.lon) if resolved.is_located else (basket.store.lat, basket.store.lon)
    return fulfilment_plan(
        requests=[
            PlanRequest(line.pk, line.product_id, line.product.sku, line.quantity, line.source_id) for line in lines
        ],
        origin=origin,  # type: ignore[arg-type]
    )


# --- lifecycle ----------------------------------------------------------------------------------------------

S = OrderStatus
HOME_MOVES: dict[str, set[str]] = {
    S.PLACED: {S.SHIPPED, S.CANCELLED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: {S.RETURNED},
    S.PARTIALLY_RETURNED: {S.RETURNED},
}
PICKUP_MOVES: dict[str, set[str]] = {
    S.PLACED: {S.READY, S.CANCELLED},
    S.READY: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    S.COLLECTED: {S.RETURNED},
    S.PARTIALLY_RETURNED: {S.RETURNED},
}


def allowed_moves(order: Order) -> set[str]:
    """Statuses `order` may move to next (`returned` covers partial returns too)."""
    moves = PICKUP_MOVES if order.delivery_method == DeliveryMethod.PICKUP else HOME_MOVES
    return set(moves.get(order.status, set()))


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
    ship_from: Collection[int] | None = None,
    reference: str = "",
) -> OrderStatusChange:
    """Move `order` to `to_status` with its stock effects; IllegalTransition when the move is not allowed.

    `shipped` with `ship_from` (location ids) ships only the lines sourced there that have not shipped yet: a
    store sends its own parcel of an order split across the network. The order becomes `shipped` with its last
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
    if to_status == S.SHIPPED and ship_from is not None and order.status == S.PLACED:
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
        _email_after_commit(order, "ready")
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
    ship_from: set[int],
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
        lines=[{"sku": line.sku, "quantity": line.quantity} for line in parcel],
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
    from clienteling.services import followup_task_create

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
