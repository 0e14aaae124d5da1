"""Named places, people and customers shared by every test, so permission tests read like sentences.

At the root, outside every app: a customer with orders is built here for the tests of every layer.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from clienteling.factories import BrowsingEventFactory, CartFactory, CartLineFactory, CustomerFactory
from clienteling.models import WishlistItem
from inventory.factories import ProductFactory, StockLevelFactory
from omniportal.factories import LocationFactory, WarehouseFactory, staff
from omniportal.models import Role, TokenScope
from omniportal.request_id import forget_request
from omniportal.services import integration_token_create
from orders.factories import OrderFactory, OrderLineFactory, SaleFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _no_request_id_left_over():
    """Test clients that never close a response (schemathesis' WSGI client) leave its request id set in this
    thread; a server always closes them. Each test starts outside any request."""
    forget_request()
    yield
    forget_request()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /it/… leaves Italian active in this thread; each test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def store_milano(db):
    return LocationFactory(
        code="MI01", name="Milano Duomo", city="Milano", postal_code="20121", lat=45.4642, lon=9.1900
    )


@pytest.fixture
def store_roma(db):
    return LocationFactory(code="RM01", name="Roma Corso", city="Roma", postal_code="00186", lat=41.9028, lon=12.4964)


@pytest.fixture
def warehouse_bologna(db):
    return WarehouseFactory(
        code="WH-BO", name="Bologna DC", city="Bologna", postal_code="40121", lat=44.4949, lon=11.3426
    )


@pytest.fixture
def associate_milano(store_milano):
    return staff("anna_milano", Role.ASSOCIATE, store_milano)


@pytest.fixture
def manager_milano(store_milano):
    return staff("marco_milano", Role.MANAGER, store_milano)


@pytest.fixture
def associate_roma(store_roma):
    return staff("giulia_roma", Role.ASSOCIATE, store_roma)


@pytest.fixture
def manager_roma(store_roma):
    return staff("paolo_roma", Role.MANAGER, store_roma)


@pytest.fixture
def head_office(db):
    return staff("helena_hq", Role.HEAD_OFFICE)


@pytest.fixture
def api_token(db):
    """A token with every scope; returns (token, key)."""
    return integration_token_create(name="test-all-scopes", scopes=TokenScope.values)


@pytest.fixture
def api_client(api_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token[1]}")
    return client


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
