"""Reservations under real concurrency: PostgreSQL, one connection per thread."""

from __future__ import annotations

import threading
from typing import NamedTuple

import pytest
from django.db import connection, connections
from django.utils import timezone

from inventory.factories import ProductFactory, StockLevelFactory
from inventory.ingest import StockLevelIn, stock_levels_apply
from inventory.models import Product, StockLevel, StockMovement
from inventory.services import InsufficientStock, StockLine, stock_release, stock_reserve
from omniportal.factories import LocationFactory
from omniportal.models import Location

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL (set DATABASE_URL=postgres://...)")


def _race(workers: int, work) -> list[BaseException | str]:
    """Run `work(i)` in `workers` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(workers)
    outcomes: list[BaseException | str] = [""] * workers

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except BaseException as exc:  # collected and asserted in the test thread
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_clients_racing_for_the_last_units_never_oversell():
    stock = StockLevelFactory(location=LocationFactory(code="HOT1"), product=ProductFactory(), on_hand=5)
    line = StockLine(stock.location_id, stock.product_id, 1, stock.product.sku)

    def reserve(i: int) -> str:
        try:
            stock_reserve(lines=[line], reference=f"client-{i}")
        except InsufficientStock:
            return "short"
        return "reserved"

    outcomes = _race(16, reserve)
    assert all(o in {"reserved", "short"} for o in outcomes), outcomes
    assert outcomes.count("reserved") == 5
    stock.refresh_from_db()
    assert stock.reserved == 5
    assert StockMovement.objects.filter(stock=stock).count() == 5


def test_multi_line_orders_with_the_same_skus_in_opposite_order_never_deadlock():
    first = StockLevelFactory(location=LocationFactory(code="DL1"), product=ProductFactory(), on_hand=1000)
    second = StockLevelFactory(location=LocationFactory(code="DL2"), product=ProductFactory(), on_hand=1000)
    a = StockLine(first.location_id, first.product_id, 1, "A")
    b = StockLine(second.location_id, second.product_id, 1, "B")
    rounds = 25

    def order(i: int) -> str:
        lines = [a, b] if i % 2 == 0 else [b, a]
        for round_ in range(rounds):
            stock_reserve(lines=lines, reference=f"order-{i}-{round_}")
        return "ok"

    outcomes = _race(6, order)
    assert outcomes == ["ok"] * 6, [repr(o) for o in outcomes]
    assert set(StockLevel.objects.filter(pk__in=[first.pk, second.pk]).values_list("reserved", flat=True)) == {
        6 * rounds
    }


class CrossedRows(NamedTuple):
    location: Location
    low: Product
    high: Product
    stocks: list[StockLevel]
    lines: list[StockLine]


@pytest.fixture
def crossed() -> CrossedRows:
    """Two stock rows whose ids run opposite to their (product, location) keys: a writer that locked by id and
    another that locked by key would each hold the row the other waits for."""
    location = LocationFactory(code="DL3")
    low, high = ProductFactory(), ProductFactory()
    high_stock = StockLevelFactory(location=location, product=high, on_hand=100_000)
    low_stock = StockLevelFactory(location=location, product=low, on_hand=100_000)
    assert low.pk < high.pk and high_stock.pk < low_stock.pk
    lines = [StockLine(location.pk, low.pk, 1, "LOW"), StockLine(location.pk, high.pk, 1, "HIGH")]
    return CrossedRows(location, low, high, [low_stock, high_stock], lines)


def _reserved(rows: CrossedRows) -> set[int]:
    return set(StockLevel.objects.filter(pk__in=[s.pk for s in rows.stocks]).values_list("reserved", flat=True))


def test_reservations_and_releases_of_the_same_rows_lock_them_in_one_order(crossed):
    lines, rounds = crossed.lines, 25

    def reserve_then_release(i: int) -> str:
        for round_ in range(rounds):
            stock_reserve(lines=lines, reference=f"r-{i}-{round_}")
            if i % 2:
                stock_release(lines=lines, reference=f"x-{i}-{round_}")
        return "ok"

    outcomes = _race(6, reserve_then_release)
    assert outcomes == ["ok"] * 6, [repr(o) for o in outcomes]
    assert _reserved(crossed) == {3 * rounds}  # the three even clients only reserved


def test_the_stock_feed_and_reservations_of_the_same_rows_lock_them_in_one_order(crossed):

    location, lines, rounds = crossed.location, crossed.lines, 25

    def client(i: int) -> str:
        for round_ in range(rounds):
            if i % 2:
                snapshot = [
                    StockLevelIn(location=location.code, sku=product.sku, on_hand=100_000, as_of=timezone.now())
                    for product in (crossed.high, crossed.low)  # the feed's own order does not matter
                ]
                stock_levels_apply(items=snapshot, reference=f"feed-{i}-{round_}")
            else:
                stock_reserve(lines=lines, reference=f"r-{i}-{round_}")
        return "ok"

    outcomes = _race(6, client)
    assert outcomes == ["ok"] * 6, [repr(o) for o in outcomes]
    assert _reserved(crossed) == {3 * rounds}
