"""An order comes into being: from the website (the API), from an endless-aisle basket, from any channel.

`order_place` is the one way an order is created: number, lines, the all-or-nothing reservation, the delivery
location, the first history entry, the commission hook and the confirmation email after commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services import InsufficientStock, ShortLine, StockLine, stock_reserve
from omniportal.models import Location

from .. import commission_hooks, tasks_orders
from ..location import ResolvedLocation, delivery_location_resolve, is_country_code, valid_coordinates
from ..models import DeliveryMethod, LocationSource, Order, OrderLine, OrderStatus, OrderStatusChange
from .errors import AddressInvalid, OrderError, OrderShort

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from clienteling.models import Customer
    from inventory.models import Product


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

    def location(self) -> ResolvedLocation:
        """Where this address is on the map, and how that was found (orders.location)."""
        return delivery_location_resolve(
            country=self.country, postal_code=self.postal_code, city=self.city, lat=self.lat, lon=self.lon
        )

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
        location = address.location()
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
    email_after_commit(order, "confirmation")
    return order


def email_after_commit(order: Order, kind: str) -> None:
    """Send the customer an email about `order` ("confirmation", "ready") once the transaction commits."""
    order_pk = order.pk
    transaction.on_commit(lambda: tasks_orders.send_order_email.delay(order_pk, kind))
