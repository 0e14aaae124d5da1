"""The endless-aisle basket: what an associate builds for a customer, and its checkout into an order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clienteling.selectors import customer_current_cart
from inventory.services import ShortLine
from omniportal.models import Location

from ..models import Basket, BasketLine, BasketStatus, DeliveryMethod, Order, OrderChannel
from ..selectors import FulfilmentPlan, PlanRequest, fulfilment_plan, is_pickup_store, open_basket
from .errors import BasketError, OrderError, OrderShort
from .placing import DeliveryAddress, PlacedLine, delivery_address_validate, order_place

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from clienteling.models import Customer
    from inventory.models import Product


MAX_LINE_QUANTITY = 999


def _check_customer(customer: Customer) -> None:
    if customer.erased_at is not None:
        raise BasketError(_("This customer's data was erased."))


def basket_open(*, customer: Customer, store: Location, actor: AbstractBaseUser) -> Basket:
    """The customer's open basket at `store`, created when there is none (one open basket per customer and store)."""
    _check_customer(customer)
    basket = open_basket(customer=customer, store=store)
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


@transaction.atomic
def basket_checkout(
    *,
    basket: Basket,
    address: DeliveryAddress,
    till_receipt: str,
    actor: AbstractBaseUser,
    delivery_method: str = DeliveryMethod.HOME,
    pickup_store: Location | None = None,
) -> Order:
    """Place the endless-aisle order for an open basket along the proposed plan (with overrides): delivered to
    `address`, or collected at `pickup_store` (click and collect; `address` then only names the customer).

    The order goes through order_place, as the API's orders do: the same reservation, location and emails.
    """
    basket = Basket.objects.select_for_update().select_related("customer", "store").get(pk=basket.pk)
    if basket.status != BasketStatus.OPEN:
        raise BasketError(_("This basket was already ordered."))
    till_receipt = till_receipt.strip()
    if not till_receipt:
        raise OrderError(_("Enter the till receipt reference of the payment."))
    if len(till_receipt) > 64:
        raise OrderError(_("The till receipt reference is at most 64 characters."))
    if delivery_method == DeliveryMethod.PICKUP:
        if not is_pickup_store(pickup_store):
            raise OrderError(_("Choose a store that offers pickup."))
        address = DeliveryAddress(name=address.name.strip()[:200])  # the customer collects: no street is kept
    elif delivery_method == DeliveryMethod.HOME:
        pickup_store = None
        address = delivery_address_validate(address)
    else:
        raise OrderError(_("Choose home delivery or pickup in store."))
    basket_lines = list(basket.lines.select_related("product").order_by("pk"))
    if not basket_lines:
        raise BasketError(_("The basket is empty."))
    currencies = sorted({line.product.currency for line in basket_lines})
    if len(currencies) > 1:
        raise BasketError(
            _("The basket holds prices in %(currencies)s: place one order per currency.")
            % {"currencies": ", ".join(currencies)}
        )
    plan = basket_plan(basket=basket, address=address, lines=basket_lines, pickup_store=pickup_store)
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
        delivery_method=delivery_method,
        pickup_store=pickup_store,
        currency=currencies[0],
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


def basket_plan(
    *,
    basket: Basket,
    address: DeliveryAddress,
    lines: list[BasketLine] | None = None,
    pickup_store: Location | None = None,
) -> FulfilmentPlan:
    """The proposed fulfilment plan for a basket delivered to `address`, or collected at `pickup_store`: the
    distances are to where the parcels go (the address's resolved location, the pickup store)."""
    if lines is None:
        lines = list(basket.lines.select_related("product").order_by("pk"))
    if pickup_store is not None:
        origin, located = (pickup_store.lat, pickup_store.lon), True
    else:
        resolved = address.location()
        located = resolved.is_located
        # An address off the map still gets a plan: the locations nearest the selling store first.
        origin = (resolved.lat, resolved.lon) if located else (basket.store.lat, basket.store.lon)
    plan = fulfilment_plan(
        requests=[
            PlanRequest(line.pk, line.product_id, line.product.sku, line.quantity, line.source_id) for line in lines
        ],
        origin=origin,  # type: ignore[arg-type]
        pickup_store=pickup_store,
    )
    plan.located = located
    return plan
