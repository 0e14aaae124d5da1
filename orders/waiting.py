"""Orders' rows that arrive before their customer or their product (omniportal.waiting).

An online order or a till sale may name a customer the e-commerce site has not sent yet, and an SKU the catalogue
does not hold yet; they are linked when those arrive, like events and carts.
"""

from __future__ import annotations

from clienteling.waiting import waiting_for_customer
from inventory.waiting import waiting_for_product

from .models import Order, OrderLine, Sale, SaleLine


def register() -> None:
    """Called from OrdersConfig.ready."""
    for model in (Order, Sale):
        waiting_for_customer.register(model, link="customer", key="customer_external_id")
    for model in (OrderLine, SaleLine):
        waiting_for_product.register(model, link="product", key="sku")
