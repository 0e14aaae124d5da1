"""Who marks a parcel shipped: only the location that sends it, or head office for a warehouse's parcel (and for
lines no location holds). Everyone else sees its state and leaves it to them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from omniportal.factories import staff
from omniportal.models import Role
from orders.models import DeliveryMethod, OrderChannel, OrderStatus
from orders.selectors import order_access
from orders.services.lifecycle import order_transition
from orders.services.placing import DeliveryAddress, PlacedLine, order_place

pytestmark = pytest.mark.django_db


def _order(selling, *sources, method=DeliveryMethod.HOME, pickup_store=None):
    """An order sold at `selling` (None: online), one line from each of `sources` (None: no source)."""
    customer = CustomerFactory(city="Torino", postal_code="10121", country="IT", address_line1="Via Po 1")
    lines = []
    for source in sources:
        product = ProductFactory()
        if source is not None:
            StockLevelFactory(location=source, product=product, on_hand=5)
        lines.append(PlacedLine(product, product.sku, 1, Decimal("50.00"), source=source))
    return order_place(
        channel=OrderChannel.ENDLESS_AISLE if selling else OrderChannel.WEB,
        customer=customer,
        selling_store=selling,
        lines=lines,
        delivery_method=method,
        pickup_store=pickup_store,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
    )


def _ship(client, order, **extra):
    return client.post(reverse("order-move", args=[order.number]), {"to_status": "shipped", **extra}, follow=True)


def _shipped_sources(order) -> set[int | None]:
    return {line.source_id for line in order.lines.all() if line.shipped_quantity}


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


# --- the rule (orders.selectors.order_access) ---------------------------------------------------------------


def test_the_selling_store_may_not_ship_a_parcel_another_store_sends(associate_milano, store_milano, store_roma):
    order = _order(store_milano, store_roma)
    access = order_access(user=associate_milano, order=order)
    assert OrderStatus.SHIPPED not in access.moves
    assert access.ship_from == set()
    assert OrderStatus.CANCELLED in access.moves  # the selling store's own calls stay


def test_the_selling_store_ships_its_own_parcel_only(associate_milano, store_milano, store_roma):
    order = _order(store_milano, store_milano, store_roma)
    access = order_access(user=associate_milano, order=order)
    assert OrderStatus.SHIPPED in access.moves
    assert access.ship_from == {store_milano.pk}


def test_the_sending_store_ships_its_parcel(associate_roma, store_milano, store_roma):
    order = _order(store_milano, store_roma, store_milano)
    access = order_access(user=associate_roma, order=order)
    assert (access.moves, access.ship_from) == ({OrderStatus.SHIPPED}, {store_roma.pk})


def test_head_office_ships_a_warehouse_parcel_and_not_a_stores(
    head_office, store_milano, store_roma, warehouse_bologna
):
    order = _order(store_milano, store_roma, warehouse_bologna)
    access = order_access(user=head_office, order=order)
    assert OrderStatus.SHIPPED in access.moves
    assert access.ship_from == {warehouse_bologna.pk}


def test_head_office_may_not_ship_when_only_stores_send(head_office, store_milano, store_roma):
    order = _order(store_milano, store_roma)
    access = order_access(user=head_office, order=order)
    assert OrderStatus.SHIPPED not in access.moves
    assert OrderStatus.CANCELLED in access.moves


def test_head_office_ships_lines_that_no_location_holds(head_office):
    order = _order(None, None)  # an online order whose warehouse is outside the portal
    access = order_access(user=head_office, order=order)
    assert OrderStatus.SHIPPED in access.moves
    assert access.ship_from == {None}


def test_a_manager_of_two_stores_ships_the_parcels_of_both(store_milano, store_roma, warehouse_bologna):
    manager = staff("mara_two_stores", Role.MANAGER, store_milano, store_roma)
    order = _order(store_milano, store_milano, store_roma, warehouse_bologna)
    assert order_access(user=manager, order=order).ship_from == {store_milano.pk, store_roma.pk}


def test_a_pickup_order_has_no_parcel_to_mark_shipped(associate_roma, store_milano, store_roma):
    order = _order(None, store_roma, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    access = order_access(user=associate_roma, order=order)
    assert access.moves == set()


# --- the order page and its move ----------------------------------------------------------------------------


def test_the_selling_store_posting_shipped_changes_nothing_and_the_parcel_stays_on_the_senders_list(
    client, associate_milano, associate_roma, store_milano, store_roma
):
    order = _order(store_milano, store_roma)
    client.force_login(associate_milano)
    response = _ship(client, order, carrier="BRT", tracking_number="BRT-1")
    assert ("error", "This parcel is not yours to send: the location that holds it marks it shipped.") in _messages(
        response
    )
    order.refresh_from_db()
    assert (order.status, order.carrier, _shipped_sources(order)) == (OrderStatus.PLACED, "", set())
    client.force_login(associate_roma)
    assert [o.number for o in client.get(reverse("shipments")).context["orders"]] == [order.number]


def test_the_selling_store_ships_its_own_parcel_and_leaves_the_other_on_its_list(
    client, associate_milano, associate_roma, store_milano, store_roma
):
    order = _order(store_milano, store_milano, store_roma)
    client.force_login(associate_milano)
    _ship(client, order)
    order.refresh_from_db()
    assert (order.status, _shipped_sources(order)) == (OrderStatus.PLACED, {store_milano.pk})
    client.force_login(associate_roma)
    assert [o.number for o in client.get(reverse("shipments")).context["orders"]] == [order.number]


def test_a_parcel_named_on_the_page_ships_alone(client, store_milano, store_roma):
    manager = staff("mara_two_stores", Role.MANAGER, store_milano, store_roma)
    order = _order(store_milano, store_milano, store_roma)
    client.force_login(manager)
    _ship(client, order, parcel=store_roma.pk, carrier="GLS")
    order.refresh_from_db()
    assert (order.status, _shipped_sources(order)) == (OrderStatus.PLACED, {store_roma.pk})


def test_a_parcel_that_is_not_yours_is_refused_by_name(client, associate_milano, store_milano, store_roma):
    order = _order(store_milano, store_milano, store_roma)
    client.force_login(associate_milano)
    response = _ship(client, order, parcel=store_roma.pk)
    assert ("error", "This parcel is not yours to send: the location that holds it marks it shipped.") in _messages(
        response
    )
    order.refresh_from_db()
    assert _shipped_sources(order) == set()


def test_head_office_ships_the_warehouse_parcel_only(client, head_office, store_milano, store_roma, warehouse_bologna):
    order = _order(store_milano, store_roma, warehouse_bologna)
    client.force_login(head_office)
    _ship(client, order)
    order.refresh_from_db()
    assert (order.status, _shipped_sources(order)) == (OrderStatus.PLACED, {warehouse_bologna.pk})


def test_a_supplier_posting_shipped_on_a_pickup_order_changes_nothing(client, associate_roma, store_milano, store_roma):
    order = _order(None, store_roma, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    client.force_login(associate_roma)
    _ship(client, order)
    order.refresh_from_db()
    assert (order.status, _shipped_sources(order)) == (OrderStatus.PLACED, set())


def test_the_api_still_ships_every_line_of_an_order(api_client, store_milano, store_roma):
    """The integration's contract: a warehouse or carrier system reports what left, for the whole order."""
    order = _order(store_milano, store_roma, store_milano)
    response = api_client.post(
        reverse("api-order-status", args=[order.number]),
        {"status": "shipped", "occurred_at": "2026-11-24T09:00:00Z"},
        format="json",
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, _shipped_sources(order)) == (OrderStatus.SHIPPED, {store_milano.pk, store_roma.pk})


def test_the_pickup_store_posting_shipped_on_its_pickup_order_changes_nothing(
    client, associate_milano, store_milano, store_roma
):
    """A pickup order is handed over, never shipped, even by a store that holds one of its lines."""
    order = _order(store_milano, store_milano, store_roma, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    client.force_login(associate_milano)
    _ship(client, order)
    order.refresh_from_db()
    assert (order.status, _shipped_sources(order)) == (OrderStatus.PLACED, set())


def test_once_a_parcel_has_left_the_page_offers_no_cancel(
    client, associate_milano, associate_roma, store_milano, store_roma
):
    order = _order(store_milano, store_roma, store_milano)
    client.force_login(associate_milano)
    assert client.get(reverse("order-detail", args=[order.number])).context["moves"] == ["cancelled"]
    order_transition(order=order, to_status=OrderStatus.SHIPPED, ship_from={store_roma.pk}, actor=associate_roma)
    detail = client.get(reverse("order-detail", args=[order.number]))
    assert detail.context["moves"] == []
    assert [parcel.location for parcel in detail.context["parcels"] if parcel.sendable] == [store_milano]
