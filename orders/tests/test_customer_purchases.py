"""A customer's purchases across channels: lifetime value and the order history the profile lists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.models import Customer
from orders.factories import OrderFactory, OrderLineFactory, SaleFactory
from orders.models import OrderStatus
from orders.selectors import customer_orders, customers_with_lifetime_value

pytestmark = pytest.mark.django_db


def _with_value(customer: Customer) -> Customer:
    return customers_with_lifetime_value(Customer.objects.filter(pk=customer.pk)).get()


def test_lifetime_value_adds_order_lines_net_and_in_store_sales_and_skips_cancelled_orders(giulia, store_milano):
    kept = OrderFactory(customer=giulia)
    OrderLineFactory(order=kept, quantity=3, unit_price=Decimal("10.00"), discount=Decimal("5.00"))
    OrderLineFactory(order=kept, quantity=1, unit_price=Decimal("20.00"))
    cancelled = OrderFactory(customer=giulia, status=OrderStatus.CANCELLED)
    OrderLineFactory(order=cancelled, quantity=1, unit_price=Decimal("999.00"))
    SaleFactory(customer=giulia, store=store_milano, total=Decimal("12.50"))
    customer = _with_value(giulia)
    assert (customer.value_orders, customer.value_in_store) == (Decimal("45.00"), Decimal("12.50"))


def test_lifetime_value_counts_only_what_the_customer_kept(giulia, store_milano):
    returned = OrderFactory(customer=giulia, status=OrderStatus.RETURNED)
    OrderLineFactory(order=returned, quantity=1, unit_price=Decimal("500.00"), returned_quantity=1)
    partly = OrderFactory(customer=giulia, status=OrderStatus.PARTIALLY_RETURNED)
    # 3 units for 1,000.00 net, one of them returned: 666.67 kept.
    OrderLineFactory(
        order=partly, quantity=3, unit_price=Decimal("340.00"), discount=Decimal("20.00"), returned_quantity=1
    )
    OrderLineFactory(order=partly, quantity=1, unit_price=Decimal("100.00"))
    never_collected = OrderFactory(customer=giulia, status=OrderStatus.NOT_COLLECTED)
    OrderLineFactory(order=never_collected, quantity=1, unit_price=Decimal("300.00"))
    customer = _with_value(giulia)
    assert customer.value_orders == Decimal("766.67")


def test_lifetime_value_is_zero_without_purchases(giulia):
    customer = _with_value(giulia)
    assert customer.value_orders + customer.value_in_store == 0


def test_orders_from_every_channel_newest_first(giulia, store_milano):
    now = timezone.now()
    OrderFactory(customer=giulia, number="OP-OLD", placed_at=now - timedelta(days=3))
    SaleFactory(customer=giulia, store=store_milano, external_id="POS-MID", sold_at=now - timedelta(days=2))
    OrderFactory(customer=giulia, number="OP-NEW", placed_at=now - timedelta(days=1))
    assert [row.reference for row in customer_orders(customer=giulia)] == ["OP-NEW", "POS-MID", "OP-OLD"]


def test_order_totals_are_whole_cents_on_every_database(giulia):
    order = OrderFactory(customer=giulia, number="OP-CENTS")
    OrderLineFactory(order=order, quantity=3, unit_price=Decimal("128.63"), discount=Decimal("0.99"))
    (row,) = customer_orders(customer=giulia)
    assert str(row.total) == "384.90"
