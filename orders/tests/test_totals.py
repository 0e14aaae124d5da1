"""What a basket or an order costs (orders.totals): the checkout and the order page show the same figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import DeliveryMethod
from orders.services.baskets import basket_add, basket_checkout, basket_open
from orders.services.placing import DeliveryAddress
from orders.totals import basket_totals, order_totals, totals_for

pytestmark = pytest.mark.django_db


def test_each_line_is_quantity_times_price_less_its_discount_and_the_total_adds_shipping():
    totals = totals_for(
        lines=[(1, 2, Decimal("100.00"), Decimal("10.00")), (2, 1, Decimal("59.90"), Decimal("0"))],
        currency="EUR",
        shipping=Decimal("4.90"),
    )
    assert (totals.lines[1].total, totals.lines[2].total) == (Decimal("190.00"), Decimal("59.90"))
    assert (totals.goods, totals.discount, totals.shipping, totals.total) == (
        Decimal("249.90"),
        Decimal("10.00"),
        Decimal("4.90"),
        Decimal("254.80"),
    )
    assert totals.units == 3


def test_a_currency_without_cents_rounds_to_whole_units():
    totals = totals_for(lines=[(1, 3, Decimal("333.50"), Decimal("0"))], currency="JPY")
    assert totals.total == Decimal("1000")  # 1000.50 rounds half-even to 1000


def test_a_basket_costs_its_products_prices(associate_milano, store_milano):
    basket = basket_open(customer=CustomerFactory(), store=store_milano, actor=associate_milano)
    coat = basket_add(basket=basket, product=ProductFactory(price=Decimal("199.00")), quantity=2)
    scarf = basket_add(basket=basket, product=ProductFactory(price=Decimal("59.00")))
    lines = list(basket.lines.select_related("product"))
    totals = basket_totals(lines)
    assert (totals.lines[coat.pk].total, totals.lines[scarf.pk].total) == (Decimal("398.00"), Decimal("59.00"))
    assert (totals.total, totals.currency) == (Decimal("457.00"), "EUR")
    assert basket_totals([]) is None


def test_the_order_page_total_is_what_the_checkout_asked_to_charge(associate_milano, store_milano):
    customer = CustomerFactory(address_line1="Via Po 1", city="Milano", postal_code="20121", country="IT")
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    for price, quantity in ((Decimal("199.00"), 2), (Decimal("12.45"), 3)):
        product = ProductFactory(price=price)
        StockLevelFactory(location=store_milano, product=product, on_hand=5)
        basket_add(basket=basket, product=product, quantity=quantity)
    asked = basket_totals(list(basket.lines.select_related("product")))
    order = basket_checkout(
        basket=basket, address=DeliveryAddress.from_customer(customer), till_receipt="R-9", actor=associate_milano
    )
    charged = order_totals(order, list(order.lines.all()))
    assert charged.total == asked.total == Decimal("435.35")


def test_an_orders_totals_take_its_discounts_and_shipping():
    order = OrderFactory(delivery_method=DeliveryMethod.HOME, shipping_amount=Decimal("4.90"))
    line = OrderLineFactory(order=order, quantity=2, unit_price=Decimal("100.00"), discount=Decimal("10.00"))
    totals = order_totals(order, [line])
    assert (totals.goods, totals.total) == (Decimal("190.00"), Decimal("194.90"))
