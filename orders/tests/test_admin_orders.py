from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.factories import StockLevelFactory
from inventory.models import Product, StockLevel, StockMovement
from omniportal.models import Location
from orders import commission_hooks
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import LocationSource, Order, OrderStatus

pytestmark = pytest.mark.django_db


def test_head_office_sets_an_unlocated_order_by_hand(client, head_office, monkeypatch):
    located = []
    monkeypatch.setattr(commission_hooks, "order_located", lambda order: located.append(order.pk))
    order = OrderFactory(delivery_lat=None, delivery_lon=None, location_source=LocationSource.UNLOCATED)
    client.force_login(head_office)
    listing = client.get(reverse("admin:orders_order_unlocated"), follow=True)
    assert order.number in listing.content.decode()
    url = reverse("admin:orders_order_set_location", args=[order.pk])
    assert client.post(url, {"lat": "123", "lon": "9"}).status_code == 200  # out of range: the form says so
    response = client.post(url, {"lat": "45.1", "lon": "9.2"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.delivery_lat, order.delivery_lon, order.location_source) == (45.1, 9.2, LocationSource.MANUAL)
    assert located == [order.pk]


def test_admin_action_moves_through_the_service(client, head_office, store_milano):
    order = OrderFactory(selling_store=store_milano)
    OrderLineFactory(order=order)
    client.force_login(head_office)
    changelist = reverse("admin:orders_order_changelist")
    client.post(changelist, {"action": "mark_delivered", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED  # placed → delivered is illegal
    client.post(changelist, {"action": "mark_shipped", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.history.get().actor == head_office


def test_admin_pages_open(client, head_office, store_milano):
    order = OrderFactory(selling_store=store_milano)
    OrderLineFactory(order=order)
    StockLevelFactory(location=store_milano)
    client.force_login(head_office)
    for model in (Order, Location, Product, StockLevel, StockMovement):
        meta = model._meta
        assert (
            client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), {"q": "x"}).status_code == 200
        )
    assert client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    assert Order.objects.count() == 1
