"""The commission's money maths (SPEC 2.5), pure: no database, no clock.

Σ net × rate is rounded once, half-even, to the currency's minor unit; the assisted split rounds the
selling store's share and gives the beneficiary the remainder, so the two always add up to the amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from omniportal.money import round_money

ONE = Decimal("1")
ZERO = Decimal("0")
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class CommissionLine:
    """One order line as the commission sees it: its net (q × price − discount) and the rate that applies."""

    sku: str
    quantity: int
    net: Decimal
    rate: Decimal


def commission_amount(*, lines: Iterable[CommissionLine], currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(base, amount, unrounded amount): Σ net, and Σ net × rate rounded ONCE, half-even."""
    lines = list(lines)
    base = sum((line.net for line in lines), ZERO)
    unrounded = sum((line.net * line.rate for line in lines), ZERO)
    return base, round_money(unrounded, currency), unrounded


def split_amount(*, amount: Decimal, share: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """(selling store's share, beneficiary's remainder): the share is rounded, the remainder makes the sum exact."""
    assisted = round_money(amount * share, currency)
    return assisted, amount - assisted


def effective_rate(*, lines: Sequence[CommissionLine], base: Decimal, unrounded: Decimal, default: Decimal) -> Decimal:
    """The one rate an entry shows: the lines' rate when they share one, else the weighted rate."""
    rates = {line.rate for line in lines}
    if len(rates) == 1:
        return rates.pop()
    if not rates or base == 0:
        return default
    return (unrounded / base).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


def reversed_amount(
    *, lines: Sequence[CommissionLine], before: Sequence[int], cumulative: Sequence[int], currency: str
) -> tuple[Decimal, Decimal]:
    """(base reversed by this event, commission reversed in total so far), both rounded, for per-line
    reversed quantities (`before` this event, and `cumulative` with it).

    The total is round(Σ net × reversed / quantity × rate), recomputed from the start at every event rather
    than added up event by event: once every unit is reversed it is exactly the credited amount, so credits
    and reversals cancel to the cent however the returns were spread.
    """
    base = unrounded = ZERO
    for line, earlier, reversed_quantity in zip(lines, before, cumulative, strict=True):
        if reversed_quantity:
            unrounded += line.net * reversed_quantity / line.quantity * line.rate
            base += line.net * (reversed_quantity - earlier) / line.quantity
    return round_money(base, currency), round_money(unrounded, currency)
