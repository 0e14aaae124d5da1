"""Rows that arrive before their customer or product are linked when it arrives, whichever app keeps them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clienteling.factories import CustomerFactory
from clienteling.waiting import waiting_for_customer
from inventory.factories import ProductFactory
from inventory.waiting import waiting_for_product
from omniportal.factories import LocationFactory
from orders.models import CommissionEntry, Order, OrderLine, Sale, SaleLine

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response


def _order(customer_external_id="C-LATE", sku="COAT-1"):
    return {
        "external_id": "WEB-EARLY",
        "channel": "web",
        "customer_external_id": customer_external_id,
        "placed_at": "2026-11-23T10:15:00+01:00",
        "currency": "EUR",
        "lines": [{"sku": sku, "quantity": 1, "unit_price": "100.00"}],
        "delivery": {
            "method": "home",
            "address": {
                "line1": "Via Dante 5", "city": "Milano", "postal_code": "20121", "country": "IT",
                "lat": 45.47, "lon": 9.19,
            },
        },
    }  # fmt: skip


def _customer(external_id="C-LATE"):
    return {
        "customers": [
            {
                "external_id": external_id,
                "first_name": "Lia",
                "last_name": "Tardi",
                "consent": {"clienteling": True, "marketing": False},
                "updated_at": "2026-11-24T09:00:00+01:00",
            }
        ]
    }


def test_every_app_with_waiting_rows_joins_the_one_mechanism():
    assert {w.model for w in waiting_for_customer.models} >= {Order, Sale}
    assert {w.model for w in waiting_for_product.models} >= {OrderLine, SaleLine}


def test_an_order_posted_before_its_customer_is_linked_when_the_customer_arrives(
    api_client, store_milano, django_capture_on_commit_callbacks
):
    LocationFactory(code="RM01", name="Roma Corso", lat=41.9028, lon=12.4964)
    with django_capture_on_commit_callbacks(execute=True):
        _post(api_client, "/api/v1/orders/", _order())
    order = Order.objects.get(external_id="WEB-EARLY")
    assert order.customer is None
    credited_to = list(CommissionEntry.objects.filter(order=order).values_list("store__code", "amount"))
    assert credited_to == [("MI01", Decimal("5.00"))]

    with django_capture_on_commit_callbacks(execute=True):
        _post(api_client, "/api/v1/customers/", _customer())

    order.refresh_from_db()
    assert order.customer is not None and order.customer.external_id == "C-LATE"
    # Linking changes whose order it is, not where its commission went.
    assert list(CommissionEntry.objects.filter(order=order).values_list("store__code", "amount")) == credited_to


def test_order_and_sale_lines_for_an_unknown_sku_are_linked_when_the_product_arrives(api_client, store_milano):
    _post(api_client, "/api/v1/orders/", _order(sku="NEW-SKU"))
    _post(
        api_client,
        "/api/v1/sales/",
        {
            "sales": [
                {
                    "external_id": "POS-1",
                    "store": "MI01",
                    "sold_at": "2026-11-23T11:00:00+01:00",
                    "currency": "EUR",
                    "lines": [{"sku": "NEW-SKU", "quantity": 1, "unit_price": "100.00"}],
                }
            ]
        },
    )
    assert OrderLine.objects.get(sku="NEW-SKU").product is None
    assert SaleLine.objects.get(sku="NEW-SKU").product is None

    _post(
        api_client,
        "/api/v1/products/",
        {"products": [{"sku": "NEW-SKU", "name": "Novità", "category": "C", "price": "100.00", "currency": "EUR"}]},
    )

    assert OrderLine.objects.get(sku="NEW-SKU").product.name == "Novità"
    assert SaleLine.objects.get(sku="NEW-SKU").product.name == "Novità"


def test_a_known_product_is_not_relinked_and_other_skus_stay_waiting(api_client, store_milano):
    ProductFactory(sku="COAT-1")
    _post(api_client, "/api/v1/orders/", _order())
    _post(api_client, "/api/v1/orders/", {**_order(sku="OTHER"), "external_id": "WEB-2"})
    waiting_for_product.link(["COAT-1"])
    assert OrderLine.objects.get(sku="COAT-1").product.sku == "COAT-1"
    assert OrderLine.objects.get(sku="OTHER").product is None


@pytest.mark.postgres
def test_orders_waiting_rows_are_linked_through_indexes_never_a_walk_of_the_table(store_milano):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's (set DATABASE_URL=postgres://...)")
    # What the tables look like: thousands of orders and lines, nearly all linked.
    customer = CustomerFactory(external_id="C-KNOWN")
    product = ProductFactory(sku="KNOWN")
    orders = Order.objects.bulk_create(
        Order(number=f"OMN-{i:08d}", channel="web", customer=customer, customer_external_id="C-KNOWN",
              placed_at=timezone.now(), currency="EUR", delivery_method="home")
        for i in range(3000)
    )  # fmt: skip
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=product, sku="KNOWN", quantity=1, unit_price=Decimal("1")) for order in orders
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
        cursor.execute("ANALYZE orders_orderline")
    with CaptureQueriesContext(connection) as captured:
        waiting_for_customer.link([f"C-{i}" for i in range(300)])
        waiting_for_product.link([f"SKU-{i}" for i in range(300)])
    plans = {}
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            for table in ("orders_order", "orders_orderline"):
                if query["sql"].startswith(f'UPDATE "{table}"'):
                    cursor.execute("EXPLAIN " + query["sql"])
                    plans[table] = "\n".join(row[0] for row in cursor.fetchall())
    assert set(plans) == {"orders_order", "orders_orderline"}
    assert not any(f"Seq Scan on {table}" in plan for table, plan in plans.items()), plans
