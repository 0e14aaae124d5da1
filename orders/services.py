"""Writes about orders: baskets, placing, the lifecycle. Views, API, admin and tasks all call these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Basket, BasketLine, BasketStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from clienteling.models import Customer
    from inventory.models import Location, Product


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
