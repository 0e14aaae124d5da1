from __future__ import annotations

import pytest

from clienteling.factories import CustomerFactory
from clienteling.models import Cart
from inventory.factories import ProductFactory

URL = "/api/v1/carts/K-77/"


def cart(**overrides):
    return {
        "customer_external_id": "C-1001",
        "session_id": "s-42",
        "status": "active",
        "updated_at": "2026-11-23T09:15:00+01:00",
        "currency": "EUR",
        "lines": [{"sku": "JKT-001-M", "quantity": 1, "unit_price": "189.00"}],
        **overrides,
    }


@pytest.mark.django_db
def test_a_cart_snapshot_is_created_then_replaced(api_client):
    jacket = ProductFactory(sku="JKT-001-M")
    first = api_client.put(URL, cart(), format="json")
    second = api_client.put(
        URL,
        cart(updated_at="2026-11-23T09:20:00+01:00", lines=[{"sku": "BAG", "quantity": 2, "unit_price": "40"}]),
        format="json",
    )

    assert first.json() == {"created": 1, "updated": 0, "ignored": 0}
    assert second.json() == {"created": 0, "updated": 1, "ignored": 0}
    stored = Cart.objects.get(cart_id="K-77")
    assert [(line.sku, line.quantity, line.product) for line in stored.lines.all()] == [("BAG", 2, None)]
    assert jacket.pk  # the first snapshot's line was linked; the replacement has an unknown SKU


@pytest.mark.django_db
def test_an_older_cart_snapshot_is_ignored(api_client):
    api_client.put(URL, cart(), format="json")

    response = api_client.put(URL, cart(status="abandoned", updated_at="2026-11-23T09:00:00+01:00"), format="json")

    assert response.json() == {"created": 0, "updated": 0, "ignored": 1}
    assert Cart.objects.get().status == "active"


@pytest.mark.django_db
def test_the_cart_of_a_customer_who_arrives_later_is_linked(api_client):
    api_client.put(URL, cart(), format="json")
    assert Cart.objects.get().customer is None

    api_client.post(
        "/api/v1/customers/",
        {
            "customers": [
                {
                    "external_id": "C-1001",
                    "first_name": "Giulia",
                    "last_name": "Bianchi",
                    "consent": {"clienteling": True, "marketing": True},
                    "updated_at": "2026-11-23T09:00:00Z",
                }
            ]
        },
        format="json",
    )

    assert Cart.objects.get().customer.external_id == "C-1001"


@pytest.mark.django_db
def test_a_cart_for_a_known_customer_is_linked_at_once(api_client):
    giulia = CustomerFactory(external_id="C-1001")

    api_client.put(URL, cart(), format="json")

    assert Cart.objects.get().customer == giulia


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"currency": "ZZZ"}, "currency"),
        ({"lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "-1"}]}, "lines[0].unit_price"),
        ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "NaN"}]}, "lines[0].unit_price"),
        ({"updated_at": "yesterday"}, "updated_at"),
        ({"status": None}, "status"),
    ],
)
def test_bad_cart_fields_are_named(api_client, bad, field):
    response = api_client.put(URL, cart(**bad), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not Cart.objects.exists()
