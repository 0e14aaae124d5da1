from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.factories import BrowsingEventFactory, CartFactory, CartLineFactory, CustomerFactory
from clienteling.models import WishlistItem
from inventory.factories import ProductFactory, StockLevelFactory
from orders.factories import OrderFactory, OrderLineFactory, SaleFactory


@pytest.fixture
def giacca(store_milano, store_roma, warehouse_bologna):
    """A jacket with 2 available in Milano, 5 in Roma and 10 (minus 3 reserved) in Bologna."""
    product = ProductFactory(
        sku="GIACCA-M", name="Giacca lana", price=Decimal("199.00"), image_url="https://img.example/g.jpg"
    )
    StockLevelFactory(product=product, location=store_milano, on_hand=3, safety_stock=1)
    StockLevelFactory(product=product, location=store_roma, on_hand=5)
    StockLevelFactory(product=product, location=warehouse_bologna, on_hand=10, reserved=3)
    return product


@pytest.fixture
def sciarpa(store_roma):
    product = ProductFactory(sku="SCIARPA", name="Sciarpa seta", price=Decimal("59.00"))
    StockLevelFactory(product=product, location=store_roma, on_hand=4)
    return product


@pytest.fixture
def giulia(db, store_milano):
    """A consenting customer with a cart, a wishlist, browsing, an online order and an in-store sale."""
    return CustomerFactory(
        first_name="Giulia",
        last_name="Verdi",
        email="giulia.verdi@example.com",
        phone="+393471112233",
        loyalty_number="L000000042",
        loyalty_tier="gold",
        consent_clienteling=True,
        sizes={"jacket": "42"},
        preferences={"colour": "navy"},
        nearest_store=store_milano,
        nearest_store_km=1.2,
    )


@pytest.fixture
def giulia_online(giulia, giacca, sciarpa, store_milano):
    cart = CartFactory(customer=giulia)
    CartLineFactory(cart=cart, product=giacca, sku=giacca.sku, quantity=1, unit_price=Decimal("199.00"))
    CartLineFactory(cart=cart, product=None, sku="NOT-YET-KNOWN", quantity=2, unit_price=Decimal("5.00"))
    WishlistItem.objects.create(customer=giulia, product=sciarpa, sku=sciarpa.sku, added_at=timezone.now())
    now = timezone.now()
    for minutes in range(3):
        BrowsingEventFactory(
            customer=giulia, product=giacca, sku=giacca.sku, occurred_at=now - timedelta(minutes=minutes)
        )
    order = OrderFactory(customer=giulia, number="OP-0000042")
    OrderLineFactory(order=order, product=giacca, quantity=2, unit_price=Decimal("100.00"), discount=Decimal("10.00"))
    SaleFactory(customer=giulia, store=store_milano, external_id="POS-42", total=Decimal("60.00"))
    return giulia


@pytest.fixture
def bruno(db):
    """A customer who has not consented to clienteling."""
    return CustomerFactory(first_name="Bruno", last_name="Neri", consent_clienteling=False, loyalty_tier="gold")
