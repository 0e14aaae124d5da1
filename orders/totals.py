"""What a basket or an order costs: each line's total, the goods, shipping and the total to charge.

One selector for the checkout (a basket, before the till) and the order page (the order, after it), over one rule
for a line: orders.models.line_net. The checkout shows the amount to charge at the till; the order page shows
the same figures, so the associate can check the receipt against the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from omniportal.money import round_money

from .models import line_net

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .models import BasketLine, Order, OrderLine

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineAmount:
    """One line's part of the totals: `key` is the line's id."""

    key: int
    quantity: int
    unit_price: Decimal
    discount: Decimal
    total: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: dict[int, LineAmount]  # by line id
    goods: Decimal  # the lines' totals, discounts taken off
    discount: Decimal  # the lines' discounts (already out of `goods`)
    shipping: Decimal
    total: Decimal  # what the customer pays: goods + shipping

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines.values())


def totals_for(
    *, lines: Iterable[tuple[int, int, Decimal, Decimal]], currency: str, shipping: Decimal = ZERO
) -> Totals:
    """Totals of (line id, quantity, unit price, discount) rows in `currency`, each line by line_net, every
    amount rounded once to the currency's minor unit."""
    amounts = {
        key: LineAmount(
            key, quantity, unit_price, discount, round_money(line_net(quantity, unit_price, discount), currency)
        )
        for key, quantity, unit_price, discount in lines
    }
    goods = sum((line.total for line in amounts.values()), ZERO)
    discount = sum((line.discount for line in amounts.values()), ZERO)
    shipping = round_money(shipping, currency)
    return Totals(currency, amounts, goods, round_money(discount, currency), shipping, goods + shipping)


def basket_totals(lines: list[BasketLine]) -> Totals | None:
    """A basket's totals at today's catalogue prices (lines with their product); None for an empty basket.

    The currency is the first line's: basket_checkout refuses a basket that mixes currencies.
    """
    if not lines:
        return None
    return totals_for(
        lines=[(line.pk, line.quantity, line.product.price, ZERO) for line in lines],
        currency=lines[0].product.currency,
    )


def order_totals(order: Order, lines: list[OrderLine]) -> Totals:
    """An order's totals as it was placed: the prices and discounts it recorded, and its shipping."""
    return totals_for(
        lines=[(line.pk, line.quantity, line.unit_price, line.discount) for line in lines],
        currency=order.currency,
        shipping=order.shipping_amount,
    )
