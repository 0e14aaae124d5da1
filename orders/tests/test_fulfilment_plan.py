from __future__ import annotations

import pytest

from inventory.factories import LocationFactory, ProductFactory, StockLevelFactory
from orders.selectors import PlanRequest, fulfilment_plan

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
