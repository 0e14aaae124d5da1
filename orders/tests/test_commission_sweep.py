from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.commissions.ledger import commissions_sweep
from orders.commissions.selectors import commissions_held_count
from orders.models import CommissionEntry, LocationSource, Order, OrderStatus
from orders.tasks_commissions import sweep

from .commission_support import change, credits_of, default_policy, net_of, order_with_lines

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
GRACE = dt.timedelta(minutes=5)


@pytest.fixture(autouse=True)
def policy(db):
    return default_policy()


def aged(order, minutes=10):
    """Pretend the order was written `minutes` ago (created_at is auto_now_add)."""
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(minutes=minutes))
    return order


def test_the_sweep_credits_orders_whose_message_was_lost(store_milano):
    orders = [aged(order_with_lines((1, "100.00", "0"), **MILANO)) for _ in range(3)]
    result = commissions_sweep(grace=GRACE, batch_size=2)
    assert result.orders_attempted == 3
    assert all(credits_of(order) == {"MI01": Decimal("5.00")} for order in orders)


def test_the_sweep_leaves_orders_within_the_grace_period_to_their_task(store_milano):
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    commissions_sweep(grace=GRACE)
    assert credits_of(order) == {}


def test_the_sweep_holds_unlocated_orders_and_credits_them_once_located(store_milano):
    order = aged(
        order_with_lines(
            (1, "100.00", "0"), delivery_lat=None, delivery_lon=None, location_source=LocationSource.UNLOCATED
        )
    )
    commissions_sweep(grace=GRACE)
    assert credits_of(order) == {} and commissions_held_count() == 1
    Order.objects.filter(pk=order.pk).update(delivery_lat=45.466, delivery_lon=9.186, location_source="manual")
    commissions_sweep(grace=GRACE)
    assert credits_of(order) == {"MI01": Decimal("5.00")} and commissions_held_count() == 0


def test_the_sweep_reverses_a_cancellation_whose_message_was_lost(store_milano):
    order = aged(order_with_lines((1, "100.00", "0"), **MILANO))
    commissions_sweep(grace=GRACE)
    cancelled = change(order, OrderStatus.CANCELLED)
    type(cancelled).objects.filter(pk=cancelled.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert commissions_sweep(grace=GRACE).reversals == 1
    assert net_of(order) == {"MI01": Decimal("0")}


def test_sweeping_twice_credits_once(store_milano):
    order = aged(order_with_lines((1, "100.00", "0"), **MILANO))
    commissions_sweep(grace=GRACE)
    again = commissions_sweep(grace=GRACE)
    assert (again.orders_attempted, again.reversals) == (0, 0)
    assert CommissionEntry.objects.filter(order=order).count() == 1


def test_the_beat_task_runs_the_sweep(store_milano):
    order = aged(order_with_lines((1, "100.00", "0"), **MILANO))
    assert sweep.delay().get() == {"orders": 1, "held": 0, "reversals": 0}
    assert credits_of(order) == {"MI01": Decimal("5.00")}
