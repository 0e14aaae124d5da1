from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import City, StockLevel, StockMovement
from orders import commission_hooks
from orders.models import Basket, BasketStatus, LocationSource, Order, OrderChannel, OrderStatus
from orders.services.baskets import basket_add, basket_checkout, basket_open
from orders.services.errors import AddressInvalid, OrderError, OrderShort
from orders.services.placing import DeliveryAddress, PlacedLine, order_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return CustomerFactory(first_name="Lucia", email="lucia@example.com")


@pytest.fixture
def basket(customer, store_milano, associate_milano):
    return basket_open(customer=customer, store=store_milano, actor=associate_milano)


def _home(customer, **changes) -> DeliveryAddress:
    return DeliveryAddress.from_customer(customer).__class__(
        **{**DeliveryAddress.from_customer(customer).__dict__, **changes}
    )


def test_checkout_places_reserves_and_emails(
    django_capture_on_commit_callbacks, basket, customer, associate_milano, store_roma
):
    stock = StockLevelFactory(location=store_roma, product=ProductFactory(name="Wool coat"), on_hand=2)
    basket_add(basket=basket, product=stock.product, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = basket_checkout(basket=basket, address=_home(customer), till_receipt="R-100", actor=associate_milano)
    assert order.number.startswith("OMN-")
    assert (order.channel, order.status, order.selling_store_id) == (
        OrderChannel.ENDLESS_AISLE,
        OrderStatus.PLACED,
        basket.store_id,
    )
    assert order.location_source == LocationSource.GIVEN
    line = order.lines.get()
    assert (line.source_id, line.quantity, line.reserved_quantity, line.unit_price) == (
        store_roma.pk,
        2,
        2,
        Decimal("49.90"),
    )
    stock.refresh_from_db()
    assert stock.reserved == 2
    assert order.history.get().to_status == OrderStatus.PLACED
    basket.refresh_from_db()
    assert (basket.status, basket.order_id) == (BasketStatus.ORDERED, order.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lucia@example.com"]
    assert f"/track/{order.tracking_token}/" in mail.outbox[0].body


def test_no_email_before_commit(django_capture_on_commit_callbacks, basket, customer, associate_milano, store_roma):
    stock = StockLevelFactory(location=store_roma, on_hand=2)
    basket_add(basket=basket, product=stock.product)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        basket_checkout(basket=basket, address=_home(customer), till_receipt="R-1", actor=associate_milano)
    assert mail.outbox == []
    assert callbacks  # the email waits for the commit


def test_short_stock_at_placing_reserves_nothing(basket, customer, associate_milano, store_roma, warehouse_bologna):
    plenty = StockLevelFactory(location=warehouse_bologna, on_hand=5)
    scarce = StockLevelFactory(location=store_roma, on_hand=3)
    basket_add(basket=basket, product=plenty.product)
    line = basket_add(basket=basket, product=scarce.product, quantity=3)
    line.source = store_roma
    line.save()
    # Another tablet takes two of the three units between the plan and the tap on "place".
    StockLevel.objects.filter(pk=scarce.pk).update(reserved=2)
    with pytest.raises(OrderShort) as short:
        basket_checkout(basket=basket, address=_home(customer), till_receipt="R-1", actor=associate_milano)
    assert [(s.label, s.requested, s.available) for s in short.value.short] == [(scarce.product.sku, 3, 1)]
    assert scarce.product.sku in str(short.value)
    assert not Order.objects.exists()
    assert not StockMovement.objects.exists()
    plenty.refresh_from_db()
    assert plenty.reserved == 0
    basket.refresh_from_db()
    assert basket.status == BasketStatus.OPEN


def test_a_line_no_location_can_serve_is_refused(basket, customer, associate_milano, store_roma):
    stock = StockLevelFactory(location=store_roma, on_hand=1)
    basket_add(basket=basket, product=stock.product, quantity=2)
    with pytest.raises(OrderShort):
        basket_checkout(basket=basket, address=_home(customer), till_receipt="R-1", actor=associate_milano)
    assert not Order.objects.exists()


def test_home_delivery_needs_a_valid_address(basket, customer, associate_milano, store_roma):
    basket_add(basket=basket, product=StockLevelFactory(location=store_roma).product)
    with pytest.raises(AddressInvalid) as invalid:
        basket_checkout(
            basket=basket,
            address=_home(customer, postal_code="", country="ITA"),
            till_receipt="R-1",
            actor=associate_milano,
        )
    assert set(invalid.value.errors) == {"postal_code", "country"}


def test_till_receipt_is_required(basket, customer, associate_milano, store_roma):
    basket_add(basket=basket, product=StockLevelFactory(location=store_roma).product)
    with pytest.raises(OrderError):
        basket_checkout(basket=basket, address=_home(customer), till_receipt="  ", actor=associate_milano)


def test_an_edited_address_without_coordinates_is_located_by_city(basket, customer, associate_milano, store_roma):
    City.objects.create(
        geoname_id=9, country="IT", name="Torino", name_key="torino", lat=45.07, lon=7.68, population=870000
    )
    basket_add(basket=basket, product=StockLevelFactory(location=store_roma).product)
    order = basket_checkout(
        basket=basket,
        address=_home(customer, line1="Via Po 1", city="Torino", postal_code="10124", lat=None, lon=None),
        till_receipt="R-1",
        actor=associate_milano,
    )
    assert (order.location_source, order.delivery_lat) == (LocationSource.CITY, 45.07)


def test_a_placed_basket_cannot_be_placed_again(basket, customer, associate_milano, store_roma):
    basket_add(basket=basket, product=StockLevelFactory(location=store_roma, on_hand=5).product)
    basket_checkout(basket=basket, address=_home(customer), till_receipt="R-1", actor=associate_milano)
    with pytest.raises(OrderError):
        basket_checkout(basket=basket, address=_home(customer), till_receipt="R-1", actor=associate_milano)
    assert Order.objects.count() == 1


def test_order_place_calls_the_commission_hook(monkeypatch, customer, store_roma):
    seen = []
    monkeypatch.setattr(commission_hooks, "order_created", lambda order: seen.append(order.pk))
    product = ProductFactory()
    order = order_place(
        channel=OrderChannel.WEB,
        customer=customer,
        lines=[PlacedLine(product=product, sku=product.sku, quantity=1, unit_price=Decimal("10"))],
        delivery_method="home",
        currency="EUR",
        address=_home(customer),
    )
    assert seen == [order.pk]
    assert order.lines.get().reserved_quantity == 0  # no source, nothing reserved


def test_unknown_baskets_are_independent_per_store(customer, store_milano, store_roma, associate_milano):
    first = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    second = basket_open(customer=customer, store=store_roma, actor=associate_milano)
    assert first.pk != second.pk
    assert Basket.objects.count() == 2
