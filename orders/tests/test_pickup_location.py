"""A pickup order is delivered to its pickup store, whatever address came with it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from inventory.factories import ProductFactory
from inventory.models import PostalCode
from orders.models import DeliveryMethod, LocationSource, Order
from orders.services.placing import DeliveryAddress, PlacedLine, order_place

pytestmark = pytest.mark.django_db


def _pickup(store, address):
    product = ProductFactory(sku="COAT-1")
    return order_place(
        channel="web",
        lines=[PlacedLine(product, product.sku, 1, Decimal("99.00"))],
        delivery_method=DeliveryMethod.PICKUP,
        pickup_store=store,
        currency="EUR",
        address=address,
    )


def test_a_pickup_order_without_an_address_is_located_at_the_store(store_milano):
    order = _pickup(store_milano, DeliveryAddress())
    assert (order.delivery_lat, order.delivery_lon, order.location_source) == (45.4642, 9.19, LocationSource.GIVEN)


def test_a_pickup_order_with_an_unknown_home_address_is_located_at_the_store_not_unlocated(store_milano):
    address = DeliveryAddress(line1="Via X 1", city="Nowhere", postal_code="20999", country="IT")
    order = _pickup(store_milano, address)
    assert (order.delivery_lat, order.delivery_lon, order.location_source) == (45.4642, 9.19, LocationSource.GIVEN)
    assert not Order.objects.filter(location_source=LocationSource.UNLOCATED).exists()
    assert order.delivery_city == "Nowhere"  # the address is still kept on the order


def test_a_pickup_order_with_a_known_home_address_is_located_at_the_store(store_milano):
    PostalCode.objects.create(country="IT", postal_code="00186", place_name="Roma", lat=41.9, lon=12.48)
    address = DeliveryAddress(line1="Via Giulia 1", city="Roma", postal_code="00186", country="IT", lat=41.9, lon=12.5)
    order = _pickup(store_milano, address)
    assert (order.delivery_lat, order.delivery_lon, order.location_source) == (45.4642, 9.19, LocationSource.GIVEN)


def test_an_api_pickup_carrying_a_home_address_reports_the_store_location(api_client, store_milano):
    ProductFactory(sku="COAT-1")
    body = {
        "external_id": "WEB-P1",
        "channel": "web",
        "customer_external_id": "C-1",
        "placed_at": "2026-11-23T10:15:00+01:00",
        "currency": "EUR",
        "lines": [{"sku": "COAT-1", "quantity": 1, "unit_price": "99.00"}],
        "delivery": {
            "method": "pickup",
            "pickup_store": "MI01",
            "address": {"line1": "Via X 1", "city": "Milano", "postal_code": "20999", "country": "IT"},
        },
    }
    response = api_client.post("/api/v1/orders/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["delivery"] == {
        "method": "pickup",
        "pickup_store": "MI01",
        "location": {"lat": 45.4642, "lon": 9.19, "source": "given"},
    }
