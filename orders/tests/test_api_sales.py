from __future__ import annotations

from decimal import Decimal

import pytest

from clienteling.factories import CustomerFactory
from orders.models import Sale

URL = "/api/v1/sales/"


def sale(external_id="POS-1", **overrides):
    return {
        "external_id": external_id,
        "store": "MI01",
        "sold_at": "2026-11-23T11:30:00+01:00",
        "currency": "EUR",
        "lines": [{"sku": "JKT-001-M", "quantity": 2, "unit_price": "189.00"}],
        **overrides,
    }


@pytest.mark.django_db
def test_a_sale_is_recorded_once_however_often_it_is_sent(api_client, store_milano):
    first = api_client.post(URL, {"sales": [sale()]}, format="json")
    again = api_client.post(URL, {"sales": [sale(), sale("POS-2")]}, format="json")

    assert first.json() == {"created": 1, "updated": 0, "ignored": 0}
    assert again.json() == {"created": 1, "updated": 0, "ignored": 1}
    assert Sale.objects.get(external_id="POS-1").total == Decimal("378.00")


@pytest.mark.django_db
def test_the_loyalty_number_finds_the_customer(api_client, store_milano):
    giulia = CustomerFactory(loyalty_number="L-778899")

    api_client.post(URL, {"sales": [sale(loyalty_number="L-778899")]}, format="json")

    assert Sale.objects.get().customer == giulia


@pytest.mark.django_db
def test_an_unknown_store_and_a_negative_quantity_are_named(api_client, store_milano):
    bad_line = sale("POS-3", lines=[{"sku": "A", "quantity": -2, "unit_price": "1"}])

    response = api_client.post(URL, {"sales": [bad_line]}, format="json")
    unknown_store = api_client.post(URL, {"sales": [sale(store="XX")]}, format="json")

    assert response.json()["errors"][0]["field"] == "lines[0].quantity"
    assert unknown_store.json()["errors"][0]["field"] == "store"
    assert not Sale.objects.exists()
