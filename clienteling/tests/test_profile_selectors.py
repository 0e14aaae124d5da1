from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.factories import BrowsingEventFactory, CartFactory, CartLineFactory
from clienteling.models import CartStatus
from clienteling.selectors import (
    availability_for_products,
    customer_current_cart,
    customer_events_page,
    customer_for_profile,
    customer_orders,
    store_colleagues,
)
from orders.factories import OrderFactory, OrderLineFactory, SaleFactory
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db


def test_lifetime_value_adds_order_lines_net_and_in_store_sales_and_skips_cancelled_orders(giulia, store_milano):
    kept = OrderFactory(customer=giulia)
    OrderLineFactory(order=kept, quantity=3, unit_price=Decimal("10.00"), discount=Decimal("5.00"))
    OrderLineFactory(order=kept, quantity=1, unit_price=Decimal("20.00"))
    cancelled = OrderFactory(customer=giulia, status=OrderStatus.CANCELLED)
    OrderLineFactory(order=cancelled, quantity=1, unit_price=Decimal("999.00"))
    SaleFactory(customer=giulia, store=store_milano, total=Decimal("12.50"))
    customer = customer_for_profile(pk=giulia.pk)
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
    customer = customer_for_profile(pk=giulia.pk)
    assert customer.value_orders == Decimal("766.67")


def test_lifetime_value_is_zero_without_purchases(giulia):
    customer = customer_for_profile(pk=giulia.pk)
    assert customer.value_orders + customer.value_in_store == 0


def test_availability_here_and_in_the_network_in_one_query(giacca, sciarpa, store_milano, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = availability_for_products(product_ids=[giacca.pk, sciarpa.pk], store=store_milano)
    assert (found[giacca.pk].here, found[giacca.pk].network) == (2, 14)
    assert (found[sciarpa.pk].here, found[sciarpa.pk].network) == (0, 4)


def test_availability_without_a_store_counts_the_network_only(giacca):
    assert availability_for_products(product_ids=[giacca.pk], store=None)[giacca.pk].here == 0


def test_current_cart_is_the_latest_active_one(giulia, giacca):
    now = timezone.now()
    CartFactory(customer=giulia, source_updated_at=now - timedelta(days=2))
    latest = CartFactory(customer=giulia, source_updated_at=now - timedelta(days=1))
    CartFactory(customer=giulia, source_updated_at=now, status=CartStatus.ORDERED)
    CartLineFactory(cart=latest, product=giacca, sku=giacca.sku)
    assert customer_current_cart(customer=giulia) == latest


def test_events_page_is_newest_first_with_a_cursor_only_when_more_remain(giulia):
    now = timezone.now()
    events = [BrowsingEventFactory(customer=giulia, occurred_at=now - timedelta(minutes=i)) for i in range(12)]
    first, cursor = customer_events_page(customer=giulia, size=10)
    assert first == events[:10] and cursor == (events[9].occurred_at, events[9].pk)
    rest, end = customer_events_page(customer=giulia, before=cursor, size=10)
    assert rest == events[10:] and end is None


def test_orders_from_every_channel_newest_first(giulia, store_milano):
    now = timezone.now()
    OrderFactory(customer=giulia, number="OP-OLD", placed_at=now - timedelta(days=3))
    SaleFactory(customer=giulia, store=store_milano, external_id="POS-MID", sold_at=now - timedelta(days=2))
    OrderFactory(customer=giulia, number="OP-NEW", placed_at=now - timedelta(days=1))
    assert [row.reference for row in customer_orders(customer=giulia)] == ["OP-NEW", "POS-MID", "OP-OLD"]


def test_colleagues_are_the_people_of_this_store(associate_milano, manager_milano, associate_roma, store_milano):
    assert set(store_colleagues(store=store_milano)) == {associate_milano, manager_milano}
    assert not store_colleagues(store=None).exists()


def test_order_totals_are_whole_cents_on_every_database(giulia):
    order = OrderFactory(customer=giulia, number="OP-CENTS")
    OrderLineFactory(order=order, quantity=3, unit_price=Decimal("128.63"), discount=Decimal("0.99"))
    (row,) = customer_orders(customer=giulia)
    assert str(row.total) == "384.90"
