"""Reads that combine domains for the workspace's pages."""

from __future__ import annotations

from clienteling.models import Customer
from orders.selectors import customers_with_lifetime_value


def customer_for_profile(*, pk: int) -> Customer | None:
    """The customer (not erased) with their nearest store and lifetime value, in one query."""
    customers = Customer.objects.filter(pk=pk, erased_at__isnull=True).select_related("nearest_store")
    return customers_with_lifetime_value(customers).first()
