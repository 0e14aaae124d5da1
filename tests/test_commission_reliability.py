"""Exactly once, whatever fails on the way: real Redis, real worker processes, PostgreSQL.

Skipped (with the reason) without PostgreSQL and Redis; CI runs them on both.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from clienteling.factories import CustomerFactory
from inventory.factories import ProductFactory
from omniportal.factories import LocationFactory
from orders import commission_hooks
from orders.commissions.ledger import commissions_credit_orders, commissions_sweep
from orders.models import CommissionEntry, LocationSource, Order, OrderLine
from orders.tasks_commissions import credit_order, sweep
from orders.tests.commission_support import default_policy, unreachable_broker
from tests.worker import (  # noqa: F401
    CeleryWorker,
    queue_length,
    real_broker,
    real_worker,
    require_worker_environment,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
# The issue asks for 1,000 (CI sets COMMISSION_RELIABILITY_ORDERS=1000). 1,000 passed here in 164 s with the
# two shared cores at load 10; 400 keeps the default run under two minutes on a busy machine.
ORDER_COUNT = int(os.environ.get("COMMISSION_RELIABILITY_ORDERS", "400"))
COMMISSION = Decimal("0.50")  # each order: 1 × 10.00 at the default 5%


def place_orders(count: int, *, prefix: str = "R") -> list[int]:
    """`count` committed web orders delivered around northern Italy (bulk: the test is about the worker)."""
    default_policy()
    for code, lat, lon in (("MI01", 45.4642, 9.19), ("TO01", 45.0703, 7.6869), ("BO01", 44.4949, 11.3426)):
        LocationFactory(code=code, lat=lat, lon=lon)
    customer = CustomerFactory()
    product = ProductFactory()
    rng = random.Random(count)
    orders = Order.objects.bulk_create(
        Order(
            number=f"{prefix}-{i:06d}",
            external_id=f"{prefix}-WEB-{i:06d}",
            channel="web",
            customer=customer,
            placed_at=timezone.now(),
            currency="EUR",
            delivery_method="home",
            delivery_lat=rng.uniform(44.0, 46.0),
            delivery_lon=rng.uniform(7.5, 11.5),
            location_source=LocationSource.GIVEN,
        )
        for i in range(count)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=product, sku=product.sku, quantity=1, unit_price=Decimal("10.00"))
        for order in orders
    )
    return [order.pk for order in orders]


def credited() -> int:
    return CommissionEntry.objects.filter(event_key="credit").count()


def assert_exactly_one_credit_each(order_ids: list[int]) -> None:
    per_order = dict(
        CommissionEntry.objects.filter(order_id__in=order_ids)
        .values_list("order_id")
        .annotate(n=Count("id"))
        .values_list("order_id", "n")
    )
    assert len(per_order) == len(order_ids), "some orders have no credit"
    assert set(per_order.values()) == {1}, "some orders were credited more than once"
    total = CommissionEntry.objects.filter(order_id__in=order_ids).aggregate(total=Sum("amount"))["total"]
    assert total == COMMISSION * len(order_ids)


def age(order_ids: list[int]) -> None:
    """As if the orders were placed ten minutes ago: past the sweep's grace period."""
    Order.objects.filter(pk__in=order_ids).update(created_at=timezone.now() - dt.timedelta(minutes=10))


def test_a_worker_killed_midway_and_restarted_leaves_exactly_one_credit_per_order(real_broker):  # noqa: F811
    order_ids = place_orders(ORDER_COUNT)
    for order_id in order_ids:
        credit_order.apply_async(args=[order_id])
    assert queue_length() == ORDER_COUNT

    victim = CeleryWorker("victim").start()
    try:
        wait_until(lambda: credited() >= ORDER_COUNT // 4, message="a quarter of the orders credited")
        victim.kill()  # SIGKILL: the task in hand and the prefetched ones are never acknowledged
    finally:
        victim.kill()
    assert credited() < ORDER_COUNT, "the worker finished before it was killed: nothing was tested"

    survivor = CeleryWorker("survivor").start()
    try:
        wait_until(lambda: queue_length() == 0, message="the queue to drain")
        wait_until(lambda: credited() >= ORDER_COUNT - 16, message="the survivor to credit the rest")
    finally:
        survivor.stop()
    # The killed worker's unacknowledged messages come back only after the visibility timeout (an hour):
    # the sweep credits those orders now, and their late redelivery will find nothing to do.
    age(order_ids)
    commissions_sweep(grace=dt.timedelta(minutes=5))
    assert_exactly_one_credit_each(order_ids)


def test_orders_placed_while_the_broker_is_down_are_saved_and_credited_by_the_sweep(
    real_worker,  # noqa: F811
    caplog,
):
    default_policy()
    place_orders(0)
    with unreachable_broker(), caplog.at_level(logging.ERROR, logger="orders.commission_hooks"):
        placed = []
        for i in range(20):
            with transaction.atomic():  # as the order service does: hook inside, enqueue after commit
                order_ids = place_orders(1, prefix=f"DOWN{i}")
                commission_hooks.order_created(Order.objects.get(pk=order_ids[0]))
            placed += order_ids
    assert Order.objects.filter(pk__in=placed).count() == 20  # saved, nothing raised
    assert caplog.text.count("could not enqueue orders.tasks_commissions.credit_order") == 20
    assert credited() == 0

    age(placed)
    sweep.apply_async()  # the broker is back: beat's next sweep, run by the real worker
    wait_until(lambda: credited() == 20, message="the sweep to credit the orders")
    assert_exactly_one_credit_each(placed)


def test_the_same_task_delivered_twice_credits_once(real_worker):  # noqa: F811
    order_ids = place_orders(50)
    for order_id in order_ids + order_ids:
        credit_order.apply_async(args=[order_id])
    wait_until(lambda: queue_length() == 0 and credited() == 50, message="both deliveries to be processed")
    wait_until(lambda: real_worker.output().count("succeeded") >= 100, message="the duplicate deliveries to finish")
    assert_exactly_one_credit_each(order_ids)


def test_two_workers_racing_on_the_same_orders_credit_once(real_broker):  # noqa: F811
    order_ids = place_orders(100)
    first, second = CeleryWorker("racer-a"), CeleryWorker("racer-b")
    for worker in (first, second):
        worker.start()
    try:
        for _round in range(4):
            for order_id in order_ids:
                credit_order.apply_async(args=[order_id])
        wait_until(lambda: queue_length() == 0, message="the queue to drain")
        wait_until(
            lambda: first.output().count("succeeded") + second.output().count("succeeded") >= 400,
            message="all 400 deliveries to finish",
        )
    finally:
        first.stop()
        second.stop()
    assert first.output().count("succeeded") and second.output().count("succeeded"), "one worker did all the work"
    assert_exactly_one_credit_each(order_ids)


def test_two_transactions_crediting_one_order_at_the_same_instant_credit_once(db):
    require_worker_environment()
    order_ids = place_orders(30)
    start = threading.Barrier(2)
    errors = []

    def racer() -> None:
        try:
            start.wait()
            commissions_credit_orders(order_ids=order_ids)
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_exactly_one_credit_each(order_ids)
