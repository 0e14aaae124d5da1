from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from orders.models import DeliveryMethod, Order, OrderStatus
from orders.services.lifecycle import order_transition
from orders.services.placing import DeliveryAddress, PlacedLine, order_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return CustomerFactory(first_name="Lucia", last_name="Bianchi", email="lucia@example.com")


def _order(store, customer, method=DeliveryMethod.HOME):
    stock = StockLevelFactory(location=store, on_hand=3)
    return order_place(
        channel="endless_aisle",
        customer=customer,
        lines=[PlacedLine(stock.product, stock.product.sku, 1, Decimal("10"), source=store)],
        delivery_method=method,
        pickup_store=store if method == DeliveryMethod.PICKUP else None,
        selling_store=store,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
    )


def test_checkout_through_the_pages(client, associate_milano, customer, store_roma):
    coat = ProductFactory(sku="COAT-1", name="Wool coat")
    StockLevelFactory(location=store_roma, product=coat, on_hand=2)
    client.force_login(associate_milano)
    client.get(reverse("order-new"), {"customer": customer.pk})
    response = client.post(reverse("basket-add"), {"customer": customer.pk, "sku": "COAT-1", "quantity": 1})
    assert response.status_code == 302
    page = client.get(reverse("order-new"), {"customer": customer.pk})
    assert page.context["plan"].lines[0].location == store_roma
    data = page.context["delivery_query"]  # the delivery the page carries into the place form
    placed = client.post(reverse("basket-place"), {**data, "customer": customer.pk, "till_receipt": "R-77"})
    order = Order.objects.get()
    assert placed.url == reverse("order-detail", args=[order.number])
    detail = client.get(placed.url)
    assert '<svg width="' in detail.content.decode().split('data-testid="tracking-qr"')[1][:80]  # the QR code
    assert order.till_receipt == "R-77"


def test_short_stock_on_the_page_names_the_line(client, associate_milano, customer, store_roma):
    coat = ProductFactory(sku="COAT-1")
    stock = StockLevelFactory(location=store_roma, product=coat, on_hand=2)
    client.force_login(associate_milano)
    client.get(reverse("order-new"), {"customer": customer.pk})
    client.post(reverse("basket-add"), {"customer": customer.pk, "sku": "COAT-1", "quantity": 2})
    page = client.get(reverse("order-new"), {"customer": customer.pk})
    data = page.context["delivery_query"]  # the delivery the page carries into the place form
    type(stock).objects.filter(pk=stock.pk).update(reserved=1)
    response = client.post(reverse("basket-place"), {**data, "customer": customer.pk, "till_receipt": "R-1"})
    assert response.status_code == 409
    assert "COAT-1" in response.content.decode()
    assert not Order.objects.exists()


def test_other_store_cannot_see_or_move_the_order(client, associate_roma, customer, store_milano):
    order = _order(store_milano, customer)
    client.force_login(associate_roma)
    assert client.get(reverse("order-detail", args=[order.number])).status_code == 404
    assert client.post(reverse("order-move", args=[order.number]), {"to_status": "cancelled"}).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_illegal_move_on_the_page_says_why(client, associate_milano, customer, store_milano):
    order = _order(store_milano, customer)
    client.force_login(associate_milano)
    response = client.post(reverse("order-move", args=[order.number]), {"to_status": "delivered"}, follow=True)
    assert "cannot become delivered" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_tracking_page_is_public_and_shows_nothing_personal(client, customer, store_milano):
    order = _order(store_milano, customer)
    order_transition(order=order, to_status=OrderStatus.SHIPPED)
    body = client.get(reverse("track", args=[order.tracking_token])).content.decode()
    assert "On its way" in body and order.number in body
    for personal in ("Lucia", "Bianchi", "lucia@example.com", order.delivery_line1):
        assert personal not in body


def test_unknown_tracking_token_is_404(client):
    assert client.get(reverse("track", args=["not-a-token"])).status_code == 404


def test_pickup_queue_shows_this_store_only_and_flags_overdue(
    client, associate_milano, customer, store_milano, store_roma, settings
):
    settings.PICKUP_HOLD_DAYS = 3
    to_prepare = _order(store_milano, customer, DeliveryMethod.PICKUP)
    overdue = _order(store_milano, customer, DeliveryMethod.PICKUP)
    order_transition(order=overdue, to_status=OrderStatus.READY, occurred_at=timezone.now() - dt.timedelta(days=4))
    elsewhere = _order(store_roma, customer, DeliveryMethod.PICKUP)
    client.force_login(associate_milano)
    response = client.get(reverse("pickup-queue"))
    assert [o.number for o in response.context["to_prepare"]] == [to_prepare.number]
    assert [(o.number, o.is_overdue) for o in response.context["ready"]] == [(overdue.number, True)]
    assert elsewhere.number not in response.content.decode()


def test_pickup_ready_from_the_queue(client, associate_milano, customer, store_milano):
    order = _order(store_milano, customer, DeliveryMethod.PICKUP)
    client.force_login(associate_milano)
    response = client.post(reverse("order-move", args=[order.number]), {"to_status": "ready", "next": "pickups"})
    assert response.url == reverse("pickup-queue")
    order.refresh_from_db()
    assert order.status == OrderStatus.READY


def test_malformed_inputs_never_500(client, associate_milano, customer):
    client.force_login(associate_milano)
    assert client.get(reverse("order-new"), {"customer": "abc"}).status_code == 404
    assert client.get(reverse("order-new"), {"customer": "99999999999999999999"}).status_code == 404
    assert client.post(reverse("basket-add"), {"customer": "x", "sku": ""}).status_code == 302
    no_basket = client.post(reverse("basket-line"), {"customer": customer.pk, "line": "1"})
    assert no_basket.url == f"{reverse('order-new')}?customer={customer.pk}"  # said on the checkout, not a 404
    assert client.post(reverse("basket-place"), {"customer": customer.pk}).status_code == 400
