"""Reads that combine domains for the workspace's pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Concat

from clienteling.models import Customer
from orders.models import Order, Sale
from orders.selectors import customers_with_lifetime_value


@dataclass(frozen=True)
class LifetimeValue:
    """What the customer kept of their orders and bought in store, and the currency of both (None when their
    purchases are in more than one currency, or there are none: a sum is then never shown with one sign)."""

    orders: Decimal
    in_store: Decimal
    currency: str | None

    @property
    def total(self) -> Decimal:
        return self.orders + self.in_store


def _currency_span(rows: QuerySet) -> Subquery:
    # MIN and MAX of the currency codes (three letters each) as one value, "EUREUR": one subquery per table
    # rather than two, and one currency exactly when both halves agree.
    span = rows.values("customer").annotate(span=Concat(Min("currency"), Max("currency"))).values("span")
    return Subquery(span, output_field=CharField())


def customer_for_profile(*, pk: int) -> Customer | None:
    """The customer (not erased) with their nearest store, lifetime value and its currencies, in one query."""
    customers = Customer.objects.filter(pk=pk, erased_at__isnull=True).select_related("nearest_store")
    return (
        customers_with_lifetime_value(customers)
        .annotate(
            order_currencies=_currency_span(Order.objects.filter(customer=OuterRef("pk"))),
            sale_currencies=_currency_span(Sale.objects.filter(customer=OuterRef("pk"))),
        )
        .first()
    )


def lifetime_value_of(customer: Customer) -> LifetimeValue:
    """The lifetime value of a customer read by `customer_for_profile`."""
    spans = (getattr(customer, "order_currencies", None) or "", getattr(customer, "sale_currencies", None) or "")
    currencies = {span[start : start + 3] for span in spans for start in (0, 3) if span[start : start + 3]}
    return LifetimeValue(
        orders=customer.value_orders,
        in_store=customer.value_in_store,
        currency=currencies.pop() if len(currencies) == 1 else None,
    )
