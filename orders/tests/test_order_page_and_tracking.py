"""The order page (totals, each parcel's state), the customer's tracking page and emails (orders.parcels)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from orders.emails import order_email_send
from orders.models import DeliveryMethod, OrderChannel, OrderStatus
from orders.parcels import ParcelState, order_parcels, parcels_estimate, tracking_steps
from orders.services.lifecycle import order_transition
from orders.services.placing import DeliveryAddress, PlacedLine, order_place
from orders.templatetags.order_dates import date_range

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return CustomerFactory(
        first_name="Lucia",
        last_name="Bianchi",
        email="lucia@example.com",
        address_line1="Via Po 1",
        city="Torino",
        postal_code="10121",
        country="IT",
        lat=45.07,
        lon=7.69,
    )


def _order(customer, selling, *sources, method=DeliveryMethod.HOME, pickup_store=None, shipping=Decimal("0")):
    lines = []
    for n, source in enumerate(sources, start=1):
        product = ProductFactory(name=f"Coat {n}", price=Decimal("120.00"), image_url="")
        StockLevelFactory(location=source, product=product, on_hand=5)
        lines.append(PlacedLine(product, product.sku, n, Decimal("120.00"), Decimal("5.00") * n, source=source))
    return order_place(
        channel=OrderChannel.ENDLESS_AISLE,
        customer=customer,
        selling_store=selling,
        lines=lines,
        delivery_method=method,
        pickup_store=pickup_store,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
        till_receipt="R-1",
        shipping_amount=shipping,
    )


def _parcels(order):
    lines = list(order.lines.select_related("source").order_by("pk"))
    return order_parcels(order=order, lines=lines, history=list(order.history.all()), ship_from=set())


def _amounts(body: str, testid: str) -> list[Decimal]:
    return [Decimal(a) for a in re.findall(rf'data-testid="{testid}" data-amount="([0-9.]+)"', body)]


# --- parcels ----------------------------------------------------------------------------------------------


def test_each_parcel_says_where_it_comes_from_whether_it_left_and_with_which_tracking(
    customer, associate_roma, store_milano, store_roma, warehouse_bologna
):
    order = _order(customer, store_milano, store_roma, warehouse_bologna)
    order_transition(
        order=order,
        to_status=OrderStatus.SHIPPED,
        ship_from={store_roma.pk},
        actor=associate_roma,
        tracking={"carrier": "BRT", "number": "BRT-1"},
    )
    lines = list(order.lines.select_related("source").order_by("pk"))
    parcels = order_parcels(order=order, lines=lines, history=list(order.history.all()), ship_from=set())
    roma, bologna = parcels
    assert (roma.location, roma.state, roma.tracking) == (store_roma, ParcelState.SHIPPED, "BRT · BRT-1")
    assert roma.shipped_at is not None and roma.estimate is not None
    assert (bologna.location, bologna.state, bologna.shipped_at) == (warehouse_bologna, ParcelState.WAITING, None)
    assert not roma.sendable and not bologna.sendable


def test_the_whole_order_shipped_at_once_gives_every_parcel_the_orders_tracking(customer, store_milano, store_roma):
    order = _order(customer, store_milano, store_roma, store_milano)
    order_transition(order=order, to_status=OrderStatus.SHIPPED, tracking={"carrier": "GLS", "number": "G-7"})
    order.refresh_from_db()
    lines = list(order.lines.select_related("source").order_by("pk"))
    parcels = order_parcels(order=order, lines=lines, history=list(order.history.all()), ship_from=set())
    assert [(p.state, p.tracking) for p in parcels] == [(ParcelState.SHIPPED, "GLS · G-7")] * 2


def test_a_pickup_orders_parcels_wait_for_the_counter(customer, store_milano, store_roma):
    order = _order(customer, None, store_roma, store_milano, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    lines = list(order.lines.select_related("source").order_by("pk"))
    today = timezone.localdate()
    roma, milano = order_parcels(
        order=order, lines=lines, history=list(order.history.all()), ship_from=set(), today=today
    )
    assert (roma.state, roma.at_pickup_store, milano.at_pickup_store) == (ParcelState.RESERVED, False, True)
    assert milano.estimate.earliest == today  # already on the shelf
    assert roma.estimate.latest > milano.estimate.latest  # Roma's parcel travels


# --- the order page ---------------------------------------------------------------------------------------


def test_the_order_page_shows_line_totals_discounts_shipping_and_their_sum(
    client, customer, associate_milano, store_milano
):
    order = _order(customer, store_milano, store_milano, store_milano, shipping=Decimal("4.90"))
    client.force_login(associate_milano)
    body = client.get(reverse("order-detail", args=[order.number])).content.decode()
    lines = _amounts(body, "line-total")
    assert lines == [Decimal("115.00"), Decimal("230.00")]  # 1 × 120 − 5, 2 × 120 − 10
    assert _amounts(body, "goods-total") == [sum(lines)]
    assert _amounts(body, "order-total") == [sum(lines) + Decimal("4.90")]
    assert "€349.90" in body


def test_the_selling_store_sees_each_parcels_state_and_sends_none_of_another_stores(
    client, customer, associate_milano, store_milano, store_roma
):
    order = _order(customer, store_milano, store_roma)
    client.force_login(associate_milano)
    response = client.get(reverse("order-detail", args=[order.number]))
    [parcel] = response.context["parcels"]
    assert (parcel.location, parcel.state, parcel.sendable) == (store_roma, ParcelState.WAITING, False)
    body = response.content.decode()
    assert 'data-testid="ship-form"' not in body
    assert "Roma Corso marks it shipped when it leaves." in body


def test_cancel_asks_in_the_pages_dialog_and_collected_offers_undo(client, customer, associate_milano, store_milano):
    home = _order(customer, store_milano, store_milano)
    pickup = _order(customer, store_milano, store_milano, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    order_transition(order=pickup, to_status=OrderStatus.READY)
    client.force_login(associate_milano)
    body = client.get(reverse("order-detail", args=[home.number])).content.decode()
    cancel = body[: body.index('data-testid="move-cancelled"')].rsplit("<form", 1)[1]
    assert f'data-confirm="Cancel order {home.number}?' in cancel
    queue = client.get(reverse("pickup-queue")).content.decode()
    collected = queue[: queue.index('data-testid="collected"', queue.index(pickup.number))].rsplit("<form", 1)[1]
    assert f'data-undo="{pickup.number} collected."' in collected


def test_the_order_page_queries_do_not_grow_with_lines(
    client, customer, associate_milano, store_milano, store_roma, django_assert_max_num_queries
):
    small = _order(customer, store_milano, store_roma)
    large = _order(customer, store_milano, store_roma, store_milano, store_roma, store_milano)
    client.force_login(associate_milano)
    client.get(reverse("order-detail", args=[small.number]))
    with django_assert_max_num_queries(10) as small_queries:
        client.get(reverse("order-detail", args=[small.number]))
    with django_assert_max_num_queries(len(small_queries)):
        client.get(reverse("order-detail", args=[large.number]))


# --- the tracking page ------------------------------------------------------------------------------------


def test_the_tracking_page_has_the_brand_the_items_the_steps_and_the_expected_delivery(
    client, customer, store_milano, settings
):
    settings.BRAND_NAME = "Aurelia"
    order = _order(customer, store_milano, store_milano)
    body = client.get(reverse("track", args=[order.tracking_token])).content.decode()
    assert "Aurelia" in body and "brand-logo.svg" in body
    assert order.number in body and "Coat 1" in body
    assert 'data-testid="track-expected"' in body and 'data-testid="thumb-none"' in body
    assert [step.label for step in tracking_steps(order, list(order.history.all()))] == [
        "Order placed",
        "On its way",
        "Delivered",
    ]


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://carrier.example/t/1", True),
        ("http://carrier.example/t/1", True),
        ("javascript:alert(1)", False),
        ("ftp://carrier.example/t/1", False),
    ],
)
def test_only_web_addresses_become_the_carriers_link(client, customer, store_milano, url, linked):
    order = _order(customer, store_milano, store_milano)
    order_transition(order=order, to_status=OrderStatus.SHIPPED, tracking={"carrier": "BRT", "number": "1", "url": url})
    body = client.get(reverse("track", args=[order.tracking_token])).content.decode()
    assert (f'href="{url}"' in body) is linked
    assert "BRT" in body


def test_the_tracking_page_of_a_pickup_shows_the_store_and_nothing_personal(
    client, customer, store_milano, django_assert_max_num_queries
):
    order = _order(customer, store_milano, store_milano, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    order.delivery_line1 = "Via Segreta 9"  # an online pickup may carry the home address
    order.save(update_fields=["delivery_line1"])
    with django_assert_max_num_queries(3):
        body = client.get(reverse("track", args=[order.tracking_token])).content.decode()
    assert "Milano Duomo" in body and store_milano.address_line1 in body
    for personal in ("Lucia", "Bianchi", "lucia@example.com", "Via Segreta", "Torino"):
        assert personal not in body


def test_a_cancelled_order_leaves_the_path_on_the_tracking_page(customer, store_milano):
    order = _order(customer, store_milano, store_milano)
    order_transition(order=order, to_status=OrderStatus.CANCELLED)
    order.refresh_from_db()
    steps = tracking_steps(order, list(order.history.all()))
    assert [(s.label, s.done, s.ended) for s in steps] == [
        ("Order placed", True, False),
        ("On its way", False, False),
        ("Delivered", False, False),
        ("Cancelled", True, True),
    ]


# --- the emails -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "total"), [("en", "€345.00"), ("it", "345,00\xa0€")])
def test_the_confirmation_shows_money_with_its_currency_in_the_readers_format(
    customer, store_milano, settings, language, total
):
    settings.LANGUAGE_CODE = language
    order = _order(customer, store_milano, store_milano, store_milano)
    mail.outbox.clear()
    assert order_email_send(order_id=order.pk, kind="confirmation")
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert total in message.body and total in html
    assert "Coat 1" in message.body
    with translation.override(language):
        expected = date_range(parcels_estimate(_parcels(order)), "long")  # the order page's estimate
    assert expected and expected in message.body


def test_the_ready_email_says_where_and_how_long_it_waits(customer, store_milano, settings):
    settings.PICKUP_HOLD_DAYS = 5
    order = _order(customer, None, store_milano, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    order_transition(order=order, to_status=OrderStatus.READY)
    mail.outbox.clear()
    order_email_send(order_id=order.pk, kind="ready")
    [message] = mail.outbox
    assert "Milano Duomo" in message.body and store_milano.address_line1 in message.body
    assert "5 days" in message.body


def test_the_customers_browser_language_chooses_the_tracking_pages(client, customer, store_milano):
    order = _order(customer, store_milano, store_milano)
    url = reverse("track", args=[order.tracking_token])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9")
    assert response.status_code == 302 and response.url == f"/it{url}"
    italian = client.get(response.url, HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9")
    assert italian.status_code == 200 and 'lang="it"' in italian.content.decode()
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").status_code == 200
