from __future__ import annotations

import pytest

from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import MovementKind, StockLevel, StockMovement
from inventory.services import (
    InsufficientStock,
    StockInconsistent,
    StockLine,
    stock_release,
    stock_reserve,
    stock_return,
    stock_ship,
)

pytestmark = pytest.mark.django_db


def _line(stock: StockLevel, quantity: int) -> StockLine:
    return StockLine(stock.location_id, stock.product_id, quantity, stock.product.sku)


def test_reserve_takes_units_and_writes_a_movement(store_milano):
    stock = StockLevelFactory(location=store_milano, on_hand=5)
    stock_reserve(lines=[_line(stock, 2)], reference="OP-1")
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved, stock.atp) == (5, 2, 3)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.reserved_delta, movement.on_hand_delta, movement.reference) == (
        MovementKind.RESERVE,
        2,
        0,
        "OP-1",
    )


def test_reserve_respects_safety_stock(store_milano):
    stock = StockLevelFactory(location=store_milano, on_hand=5, safety_stock=2)
    with pytest.raises(InsufficientStock) as short:
        stock_reserve(lines=[_line(stock, 4)], reference="OP-1")
    assert short.value.short[0].available == 3


def test_short_line_reserves_nothing_and_names_what_is_possible(store_milano, warehouse_bologna):
    plenty = StockLevelFactory(location=warehouse_bologna, on_hand=10)
    scarce = StockLevelFactory(location=store_milano, on_hand=1)
    with pytest.raises(InsufficientStock) as short:
        stock_reserve(lines=[_line(plenty, 3), _line(scarce, 2)], reference="OP-1")
    assert [(s.label, s.requested, s.available) for s in short.value.short] == [(scarce.product.sku, 2, 1)]
    assert scarce.product.sku in str(short.value)
    assert list(StockLevel.objects.values_list("reserved", flat=True)) == [0, 0]
    assert not StockMovement.objects.exists()


def test_missing_stock_row_is_short_with_nothing_available(store_milano):
    product = ProductFactory()
    with pytest.raises(InsufficientStock) as short:
        stock_reserve(lines=[StockLine(store_milano.pk, product.pk, 1, product.sku)], reference="OP-1")
    assert short.value.short[0].available == 0


def test_two_lines_of_one_sku_are_checked_together(store_milano):
    stock = StockLevelFactory(location=store_milano, on_hand=3)
    with pytest.raises(InsufficientStock):
        stock_reserve(lines=[_line(stock, 2), _line(stock, 2)], reference="OP-1")
    stock.refresh_from_db()
    assert stock.reserved == 0


def test_release_gives_units_back(store_milano):
    stock = StockLevelFactory(location=store_milano, on_hand=5, reserved=2)
    stock_release(lines=[_line(stock, 2)], reference="OP-1")
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (5, 0)
    assert StockMovement.objects.get().kind == MovementKind.RELEASE


def test_releasing_more_than_reserved_changes_nothing(store_milano):
    stock = StockLevelFactory(location=store_milano, on_hand=5, reserved=1)
    with pytest.raises(StockInconsistent):
        stock_release(lines=[_line(stock, 2)], reference="OP-1")
    stock.refresh_from_db()
    assert stock.reserved == 1
    assert not StockMovement.objects.exists()


def test_ship_decrements_on_hand_and_reserved(store_milano):
    stock = StockLevelFactory(location=store_milano, on_hand=5, reserved=2)
    stock_ship(lines=[_line(stock, 2)], reference="OP-1")
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (3, 0)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.reserved_delta) == (MovementKind.SHIP, -2, -2)


def test_return_adds_to_on_hand_even_without_a_row(store_milano):
    product = ProductFactory()
    stock_return(lines=[StockLine(store_milano.pk, product.pk, 1, product.sku)], reference="OP-1")
    stock = StockLevel.objects.get(location=store_milano, product=product)
    assert (stock.on_hand, stock.reserved) == (1, 0)
    assert StockMovement.objects.get().on_hand_delta == 1
