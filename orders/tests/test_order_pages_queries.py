from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from omniportal.factories import LocationFactory
from orders.models import DeliveryMethod
from orders.services.baskets import basket_add, basket_open
from orders.services.placing import DeliveryAddress, PlacedLine, order_place
from orders.tasks_orders import send_order_email

pytestmark = pytest.mark.django_db


def test_checkout_page_queries_do_not_grow_with_lines_or_locations(
    client, associate_milano, store_milano, django_assert_max_num_queries
):
    customer = CustomerFactory()
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    for _n in range(6):
        product = ProductFactory()
        basket_add(basket=basket, product=product)
        for m in range(4):
            StockLevelFactory(product=product, location=LocationFactory(code=f"Q{m}"), on_hand=3)
    client.force_login(associate_milano)
    url = reverse("order-new")
    client.get(url, {"customer": customer.pk})
    # Was 12 (11 used): the session is no longer written again on every view (3 fewer), the stores that offer
    # pickup are one more; totals, shipments and estimates add none.
    with django_assert_max_num_queries(10):
        response = client.get(url, {"customer": customer.pk})
    assert len(response.context["plan"].lines) == 6
    with django_assert_max_num_queries(10):
        response = client.get(url, {"customer": customer.pk, "delivery": "pickup", "pickup_store": store_milano.pk})
    assert response.context["delivery"].pickup_store == store_milano


def test_pickup_queue_queries_are_bounded(client, associate_milano, store_milano, django_assert_max_num_queries):
    for _ in range(5):
        stock = StockLevelFactory(location=store_milano, on_hand=2)
        order_place(
            channel="web",
            customer=CustomerFactory(),
            lines=[PlacedLine(stock.product, stock.product.sku, 1, Decimal("10"), source=store_milano)],
            delivery_method=DeliveryMethod.PICKUP,
            pickup_store=store_milano,
            currency="EUR",
        )
    client.force_login(associate_milano)
    client.get(reverse("pickup-queue"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("pickup-queue"))
    assert len(response.context["to_prepare"]) == 5


def test_confirmation_email_task_runs_twice_sends_once(store_milano):
    customer = CustomerFactory(email="twice@example.com")
    product = ProductFactory()
    order = order_place(
        channel="web",
        customer=customer,
        lines=[PlacedLine(product, product.sku, 1, Decimal("10"))],
        delivery_method=DeliveryMethod.HOME,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
    )
    mail.outbox.clear()
    assert send_order_email(order.pk, "confirmation") is True
    assert send_order_email(order.pk, "confirmation") is False
    assert len(mail.outbox) == 1
