from __future__ import annotations

import pytest
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import StockLevel, StockMovement
from omniportal.factories import LocationFactory
from orders.models import Order
from orders.selectors import PlanRequest, fulfilment_plan
from orders.services.baskets import basket_add, basket_checkout, basket_open
from orders.services.errors import OrderShort
from orders.services.placing import DeliveryAddress

pytestmark = pytest.mark.django_db

MILANO_HOME = (45.466, 9.186)


def _req(key, stock_or_product, quantity=1, source_id=None):
    product = getattr(stock_or_product, "product", stock_or_product)
    return PlanRequest(key, product.pk, product.sku, quantity, source_id)


def test_one_location_covering_every_line_beats_two_nearer_ones(store_milano, store_roma, warehouse_bologna):
    shirt, shoes = ProductFactory(), ProductFactory()
    StockLevelFactory(location=store_milano, product=shirt, on_hand=5)  # nearest, but only the shirt
    StockLevelFactory(location=warehouse_bologna, product=shoes, on_hand=5)
    StockLevelFactory(location=store_roma, product=shirt, on_hand=5)
    StockLevelFactory(location=store_roma, product=shoes, on_hand=5)
    plan = fulfilment_plan(requests=[_req(1, shirt), _req(2, shoes)], origin=MILANO_HOME)
    assert [line.location.code for line in plan.lines] == ["RM01", "RM01"]
    assert len(plan.locations) == 1


def test_among_equally_few_locations_the_nearest_wins(store_milano, store_roma, warehouse_bologna):
    shirt = ProductFactory()
    for location in (store_roma, warehouse_bologna, store_milano):
        StockLevelFactory(location=location, product=shirt, on_hand=5)
    plan = fulfilment_plan(requests=[_req(1, shirt)], origin=MILANO_HOME)
    assert plan.lines[0].location.code == "MI01"
    assert plan.lines[0].distance_km < 2


def test_two_locations_when_no_single_one_covers(store_milano, store_roma, warehouse_bologna):
    shirt, shoes = ProductFactory(), ProductFactory()
    StockLevelFactory(location=store_roma, product=shirt, on_hand=5)
    StockLevelFactory(location=store_milano, product=shirt, on_hand=5)
    StockLevelFactory(location=warehouse_bologna, product=shoes, on_hand=5)
    plan = fulfilment_plan(requests=[_req(1, shirt), _req(2, shoes)], origin=MILANO_HOME)
    assert [line.location.code for line in plan.lines] == ["MI01", "WH-BO"]


def test_locations_without_enough_atp_or_not_shipping_are_not_proposed(store_milano, warehouse_bologna):
    shirt = ProductFactory()
    StockLevelFactory(location=store_milano, product=shirt, on_hand=5, reserved=4)
    no_shipping = LocationFactory(code="NS01", ships_to_home=False)
    StockLevelFactory(location=no_shipping, product=shirt, on_hand=50)
    StockLevelFactory(location=warehouse_bologna, product=shirt, on_hand=2)
    plan = fulfilment_plan(requests=[_req(1, shirt, quantity=2)], origin=MILANO_HOME)
    assert plan.lines[0].location.code == "WH-BO"
    assert [o.location.code for o in plan.lines[0].options] == ["WH-BO"]


def test_a_line_nobody_can_serve_is_short(store_milano):
    shirt = ProductFactory()
    StockLevelFactory(location=store_milano, product=shirt, on_hand=1)
    plan = fulfilment_plan(requests=[_req(1, shirt, quantity=3)], origin=MILANO_HOME)
    assert plan.lines[0].is_short
    assert plan.short_lines == plan.lines


def test_an_override_is_kept_and_other_lines_join_it(store_milano, store_roma):
    shirt, shoes = ProductFactory(), ProductFactory()
    for location in (store_milano, store_roma):
        StockLevelFactory(location=location, product=shirt, on_hand=5)
        StockLevelFactory(location=location, product=shoes, on_hand=5)
    plan = fulfilment_plan(requests=[_req(1, shirt, source_id=store_roma.pk), _req(2, shoes)], origin=MILANO_HOME)
    assert plan.lines[0].overridden
    # Roma already ships; adding Milano would be a second location, so shoes come from Roma too.
    assert [line.location.code for line in plan.lines] == ["RM01", "RM01"]


def test_a_far_warehouse_holding_every_line_beats_many_nearer_stores(warehouse_bologna):
    shirt, shoes = ProductFactory(), ProductFactory()
    StockLevelFactory(location=warehouse_bologna, product=shirt, on_hand=50)
    StockLevelFactory(location=warehouse_bologna, product=shoes, on_hand=50)
    for i in range(15):  # more stores near home than any per-line shortlist would hold
        store = LocationFactory(code=f"MI{i + 10:02d}", lat=45.46 + i / 100, lon=9.19)
        StockLevelFactory(location=store, product=shirt, on_hand=5)
    plan = fulfilment_plan(requests=[_req(1, shirt), _req(2, shoes)], origin=MILANO_HOME)
    assert [line.location.code for line in plan.lines] == ["WH-BO", "WH-BO"]


def test_a_line_served_by_an_overridden_location_far_down_its_list_joins_it(warehouse_bologna):
    shirt, shoes = ProductFactory(), ProductFactory()
    for i in range(15):
        store = LocationFactory(code=f"MI{i + 10:02d}", lat=45.46 + i / 100, lon=9.19)
        StockLevelFactory(location=store, product=shirt, on_hand=5)
    StockLevelFactory(location=warehouse_bologna, product=shirt, on_hand=5)
    StockLevelFactory(location=warehouse_bologna, product=shoes, on_hand=5)
    plan = fulfilment_plan(
        requests=[_req(1, shoes, source_id=warehouse_bologna.pk), _req(2, shirt)], origin=MILANO_HOME
    )
    assert [location.code for location in plan.locations] == ["WH-BO"]


def test_a_short_line_says_the_most_one_location_still_holds(store_milano, store_roma, warehouse_bologna):
    shirt = ProductFactory()
    StockLevelFactory(location=store_milano, product=shirt, on_hand=2)
    StockLevelFactory(location=store_roma, product=shirt, on_hand=5, reserved=2)  # 3 to promise
    StockLevelFactory(location=warehouse_bologna, product=shirt, on_hand=3)
    plan = fulfilment_plan(requests=[_req(1, shirt, quantity=5)], origin=MILANO_HOME)
    most = plan.lines[0].most_available
    assert plan.lines[0].is_short
    assert (most.location.code, most.atp) == ("WH-BO", 3)  # as much as Roma, and nearer


def test_a_short_line_with_nothing_anywhere_has_nothing_available(store_milano):
    plan = fulfilment_plan(requests=[_req(1, ProductFactory(), quantity=1)], origin=MILANO_HOME)
    assert plan.lines[0].is_short
    assert plan.lines[0].most_available is None


# --- short lines at checkout: what is still possible, and nothing reserved ------------------------------------


@pytest.fixture
def customer(db):
    return CustomerFactory(first_name="Lucia", last_name="Bianchi", email="lucia@example.com")


def test_checkout_of_a_short_line_names_the_best_location_and_reserves_nothing(
    customer, store_milano, store_roma, associate_milano
):
    coat, scarf = ProductFactory(sku="COAT-1"), ProductFactory(sku="SCARF-1")
    scarce = StockLevelFactory(location=store_roma, product=coat, on_hand=3)
    plenty = StockLevelFactory(location=store_milano, product=scarf, on_hand=9)
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    basket_add(basket=basket, product=coat, quantity=5)
    basket_add(basket=basket, product=scarf, quantity=1)
    with pytest.raises(OrderShort) as short:
        basket_checkout(
            basket=basket,
            address=DeliveryAddress.from_customer(customer),
            till_receipt="R-1",
            actor=associate_milano,
        )
    assert [(s.label, s.location_id, s.requested, s.available) for s in short.value.short] == [
        ("COAT-1", store_roma.pk, 5, 3)
    ]
    assert "COAT-1: 5 requested, only 3 available (Roma Corso)" in str(short.value)
    assert not Order.objects.exists()
    assert StockLevel.objects.filter(pk__in=[scarce.pk, plenty.pk], reserved=0).count() == 2
    assert not StockMovement.objects.exists()


def test_the_checkout_page_shows_what_is_still_possible_for_a_short_line(
    client, customer, store_milano, store_roma, associate_milano
):
    coat = ProductFactory(sku="COAT-1")
    StockLevelFactory(location=store_roma, product=coat, on_hand=3)
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    basket_add(basket=basket, product=coat, quantity=5)
    client.force_login(associate_milano)
    page = client.get(reverse("order-new"), {"customer": customer.pk})
    body = page.content.decode()
    assert 'data-testid="plan-short-available">Only 3 available (Roma Corso)</span>' in body
    data = page.context["delivery_query"]  # the delivery the page carries into the place form
    response = client.post(reverse("basket-place"), {**data, "customer": customer.pk, "till_receipt": "R-1"})
    assert response.status_code == 409
    assert "only 3 available (Roma Corso)" in response.content.decode()
    assert not Order.objects.exists()
