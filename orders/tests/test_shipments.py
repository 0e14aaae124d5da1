"""The "To ship" list and the order page for a store that ships lines of an order another store sold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import MovementKind, StockMovement
from omniportal.factories import LocationFactory, staff
from omniportal.models import Role
from orders import views
from orders.models import DeliveryMethod, Order, OrderChannel, OrderStatus, OrderStatusChange
from orders.services.lifecycle import order_transition
from orders.services.placing import DeliveryAddress, PlacedLine, order_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_napoli(db):
    return LocationFactory(code="NA01", name="Napoli Toledo", city="Napoli", postal_code="80134", lat=40.85, lon=14.25)


@pytest.fixture
def associate_napoli(store_napoli):
    return staff("nina_napoli", Role.ASSOCIATE, store_napoli)


def _endless_aisle(selling, *sources, city="Torino", name="Wool coat"):
    """An endless-aisle order sold at `selling`, one line from each of `sources`, delivered to `city`."""
    customer = CustomerFactory(city=city, postal_code="10121", country="IT", address_line1="Via Po 1")
    lines = []
    for source in sources:
        stock = StockLevelFactory(location=source, product=ProductFactory(name=name), on_hand=5)
        lines.append(PlacedLine(stock.product, stock.product.sku, 2, Decimal("120.00"), source=source))
    return order_place(
        channel=OrderChannel.ENDLESS_AISLE,
        customer=customer,
        selling_store=selling,
        lines=lines,
        delivery_method=DeliveryMethod.HOME,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
        till_receipt="R-1",
    )


def _pickup(*, at, source):
    """A web order collected at `at`, its one line supplied by `source`."""
    stock = StockLevelFactory(location=source, on_hand=2)
    return order_place(
        channel="web",
        lines=[PlacedLine(stock.product, stock.product.sku, 1, Decimal("10"), source=source)],
        delivery_method=DeliveryMethod.PICKUP,
        pickup_store=at,
        currency="EUR",
    )


def _messages(response) -> list[tuple[str, str]]:
    """The messages the page a move redirected to showed (post with follow=True)."""
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_the_source_store_sees_the_order_in_its_to_ship_list(client, associate_roma, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma, store_milano, name="Wool coat")
    client.force_login(associate_roma)
    response = client.get(reverse("shipments"))
    assert response.status_code == 200
    [listed] = response.context["orders"]
    assert listed.number == order.number
    assert [line.source_id for line in listed.lines_here] == [store_roma.pk]  # not Milano's line
    body = response.content.decode()
    for shown in (order.number, listed.lines_here[0].sku, "Wool coat", "Torino", "Milano Duomo"):
        assert shown in body


def test_the_list_holds_only_placed_orders_with_lines_from_this_store(
    client, associate_roma, store_milano, store_roma, store_napoli
):
    older = _endless_aisle(store_milano, store_roma)
    elsewhere = _endless_aisle(store_milano, store_napoli)
    shipped = _endless_aisle(store_milano, store_roma)
    order_transition(order=shipped, to_status=OrderStatus.SHIPPED)
    newer = _endless_aisle(store_napoli, store_roma)
    client.force_login(associate_roma)
    response = client.get(reverse("shipments"))
    assert [o.number for o in response.context["orders"]] == [older.number, newer.number]
    assert elsewhere.number not in response.content.decode()


def test_a_pickup_order_is_listed_where_it_ships_from_not_where_it_is_handed_over(
    client, associate_roma, associate_milano, store_milano, store_roma
):
    order = _pickup(at=store_milano, source=store_roma)
    client.force_login(associate_roma)
    response = client.get(reverse("shipments"))
    assert [o.number for o in response.context["orders"]] == [order.number]
    assert "Pickup at Milano Duomo" in response.content.decode()
    client.force_login(associate_milano)
    assert client.get(reverse("shipments")).context["orders"] == []  # Milano prepares it in the pickup queue


def test_the_source_store_opens_the_order_and_ships_it_with_tracking(client, associate_roma, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_roma)
    detail = client.get(reverse("order-detail", args=[order.number]))
    assert detail.status_code == 200
    assert 'name="tracking_number"' in detail.content.decode()
    response = client.post(
        reverse("order-move", args=[order.number]),
        {"to_status": "shipped", "carrier": "BRT", "tracking_number": "BRT-123456"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (OrderStatus.SHIPPED, "BRT", "BRT-123456")
    assert OrderStatusChange.objects.get(order=order, to_status=OrderStatus.SHIPPED).actor == associate_roma
    assert client.get(reverse("shipments")).context["orders"] == []
    # The customer's tracking page shows the carrier and number even without a carrier tracking link.
    client.logout()
    tracking = client.get(reverse("track", args=[order.tracking_token])).content.decode()
    assert "BRT" in tracking and "BRT-123456" in tracking


def test_shipping_without_tracking_is_allowed(client, associate_roma, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_roma)
    client.post(
        reverse("order-move", args=[order.number]), {"to_status": "shipped", "carrier": "", "tracking_number": ""}
    )
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (OrderStatus.SHIPPED, "", "")


def test_a_too_long_tracking_number_is_refused_and_changes_nothing(client, associate_roma, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_roma)
    response = client.post(
        reverse("order-move", args=[order.number]), {"to_status": "shipped", "tracking_number": "9" * 101}, follow=True
    )
    [(level, text)] = _messages(response)
    assert level == "error" and text.startswith("Tracking number:")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.PLACED, "")


def test_tracking_is_recorded_with_the_shipped_move_only(client, associate_milano, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_milano)
    client.post(reverse("order-move", args=[order.number]), {"to_status": "cancelled", "carrier": "BRT"})
    order.refresh_from_db()
    assert (order.status, order.carrier) == (OrderStatus.CANCELLED, "")


def test_a_double_tap_on_mark_shipped_says_so_and_writes_once(client, associate_roma, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_roma)
    url = reverse("order-move", args=[order.number])
    first = client.post(url, {"to_status": "shipped", "tracking_number": "A-1"}, follow=True)
    second = client.post(url, {"to_status": "shipped", "tracking_number": "B-2"}, follow=True)
    assert _messages(first) == [("success", "The order is now shipped.")]
    assert _messages(second) == [("info", "The order is already shipped; nothing changed.")]
    order.refresh_from_db()
    assert order.tracking_number == "A-1"
    assert OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.SHIPPED).count() == 1
    assert StockMovement.objects.filter(reference=order.number, kind=MovementKind.SHIP).count() == 1


def test_an_unrelated_store_cannot_see_or_move_the_order(client, associate_napoli, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_napoli)
    assert client.get(reverse("order-detail", args=[order.number])).status_code == 404
    move = client.post(reverse("order-move", args=[order.number]), {"to_status": "shipped", "tracking_number": "X"})
    assert move.status_code == 404
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.PLACED, "")
    assert order.number not in client.get(reverse("shipments")).content.decode()


def test_the_selling_store_still_sees_the_order(client, associate_milano, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_milano)
    assert client.get(reverse("order-detail", args=[order.number])).status_code == 200


def test_to_ship_queries_do_not_grow_with_orders(
    client, associate_roma, store_milano, store_roma, django_assert_max_num_queries
):
    client.force_login(associate_roma)
    url = reverse("shipments")

    def queries_for_page() -> int:
        client.get(url)  # warm the session and the current store
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    for _n in range(2):
        _endless_aisle(store_milano, store_roma, store_roma)
    with_two = queries_for_page()
    for _n in range(18):
        _endless_aisle(store_milano, store_roma, store_roma)
    with django_assert_max_num_queries(with_two):
        response = client.get(url)
    assert len(response.context["orders"]) == 20
    assert queries_for_page() == with_two


def test_the_list_is_paged_oldest_first(client, associate_roma, store_milano, store_roma, monkeypatch):
    orders = [_endless_aisle(store_milano, store_roma) for _n in range(3)]
    monkeypatch.setattr(views, "SHIPMENTS_PER_PAGE", 2)
    client.force_login(associate_roma)
    first = client.get(reverse("shipments"))
    second = client.get(first.context["next_url"])
    junk = client.get(reverse("shipments"), {"page": "x'"})
    assert [o.number for o in first.context["orders"]] == [orders[0].number, orders[1].number]
    assert [o.number for o in second.context["orders"]] == [orders[2].number]
    assert second.context["previous_url"] is not None
    assert [o.number for o in junk.context["orders"]] == [orders[0].number, orders[1].number]


def test_to_ship_is_in_the_navigation_of_associates(client, associate_roma):
    client.force_login(associate_roma)
    response = client.get(reverse("shipments"))
    assert any(item["url"] == reverse("shipments") for item in response.context["nav_items"])
    assert response.context["orders"] == []
    assert "Nothing to ship from this store." in response.content.decode()


def test_an_online_order_without_a_source_is_on_no_list(client, associate_roma, store_roma):
    """An online order with no source reserves nothing anywhere: no store is asked to ship it."""
    product = ProductFactory()
    order_place(
        channel="web",
        lines=[PlacedLine(product, product.sku, 1, Decimal("10"))],
        delivery_method=DeliveryMethod.HOME,
        currency="EUR",
    )
    client.force_login(associate_roma)
    assert client.get(reverse("shipments")).context["orders"] == []
    assert Order.objects.count() == 1


# --- an order split across stores: each ships its own parcel ---------------------------------------------


def test_each_source_ships_its_own_parcel_and_the_last_one_ships_the_order(
    client, associate_roma, associate_napoli, store_milano, store_roma, store_napoli
):
    order = _endless_aisle(store_milano, store_roma, store_napoli)
    client.force_login(associate_roma)
    client.post(reverse("order-move", args=[order.number]), {"to_status": "shipped", "carrier": "BRT"})
    order.refresh_from_db()
    by_source = {line.source_id: line for line in order.lines.all()}
    assert order.status == OrderStatus.PLACED  # Napoli's parcel has not left yet
    assert (by_source[store_roma.pk].shipped_quantity, by_source[store_napoli.pk].shipped_quantity) == (2, 0)
    shipped_at = set(StockMovement.objects.filter(kind=MovementKind.SHIP).values_list("stock__location_id", flat=True))
    assert shipped_at == {store_roma.pk}
    assert client.get(reverse("shipments")).context["orders"] == []  # Roma's part is done
    parcel = OrderStatusChange.objects.get(order=order, actor=associate_roma)
    assert (parcel.from_status, parcel.to_status, len(parcel.lines)) == ("placed", "placed", 1)

    client.force_login(associate_napoli)
    assert [o.number for o in client.get(reverse("shipments")).context["orders"]] == [order.number]
    client.post(reverse("order-move", args=[order.number]), {"to_status": "shipped"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert set(StockMovement.objects.filter(kind=MovementKind.SHIP).values_list("stock__location_id", flat=True)) == {
        store_roma.pk,
        store_napoli.pk,
    }


def test_a_store_that_only_supplies_a_line_cannot_cancel_the_order(client, associate_roma, store_milano, store_roma):
    order = _endless_aisle(store_milano, store_roma)
    client.force_login(associate_roma)
    detail = client.get(reverse("order-detail", args=[order.number]))
    assert detail.context["moves"] == []  # shipping is offered on its parcel, nothing else
    assert [parcel.location for parcel in detail.context["parcels"] if parcel.sendable] == [store_roma]
    response = client.post(reverse("order-move", args=[order.number]), {"to_status": "cancelled"}, follow=True)
    assert ("error", "This move is not yours to make on this order.") in _messages(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_a_store_supplying_a_pickup_order_elsewhere_makes_no_move(client, associate_roma, store_milano, store_roma):
    order = _pickup(at=store_milano, source=store_roma)
    client.force_login(associate_roma)
    detail = client.get(reverse("order-detail", args=[order.number]))
    assert detail.context["moves"] == []
    assert not any(parcel.sendable for parcel in detail.context["parcels"])
    client.post(reverse("order-move", args=[order.number]), {"to_status": "ready"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED  # "ready for pickup" is Milano's to say, once the parcel arrives


def test_an_order_part_of_which_has_shipped_can_no_longer_be_cancelled(
    client, associate_milano, associate_roma, store_milano, store_roma
):
    order = _endless_aisle(store_milano, store_roma, store_milano)
    client.force_login(associate_roma)
    client.post(reverse("order-move", args=[order.number]), {"to_status": "shipped"})
    client.force_login(associate_milano)
    response = client.post(reverse("order-move", args=[order.number]), {"to_status": "cancelled"}, follow=True)
    assert ("error", "Part of this order has shipped, so it can no longer be cancelled.") in _messages(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED and order.lines.filter(cancelled_quantity__gt=0).count() == 0
