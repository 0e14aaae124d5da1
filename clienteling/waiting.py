"""Rows that wait for a customer (omniportal.waiting), and clienteling's own rows that wait for a product.

Events, carts and visits arrive before their customer; apps above register theirs (orders: online orders and
till sales) in their AppConfig.ready(). `customers_upsert` links them all when the customer arrives.
"""

from __future__ import annotations

from django.db.models import Q

from inventory.waiting import waiting_for_product
from omniportal.waiting import WaitingRows

from .models import BrowsingEvent, Cart, CartLine, Customer, Visit, WishlistItem

# An erased customer's external id may come back in a late event: it is never linked to the anonymised row.
waiting_for_customer = WaitingRows(target=Customer, target_key="external_id", linkable=Q(erased_at=None))


def register() -> None:
    """Clienteling's waiting rows (called from ClientelingConfig.ready)."""
    for model in (BrowsingEvent, Cart, Visit):
        waiting_for_customer.register(model, link="customer", key="customer_external_id")
    for model in (BrowsingEvent, CartLine, WishlistItem):
        waiting_for_product.register(model, link="product", key="sku")
