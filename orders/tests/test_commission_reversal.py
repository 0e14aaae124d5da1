from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orders.commissions.ledger import commission_credit_order, commission_reverse_change, commissions_reverse_order
from orders.models import CommissionEntry, EntryKind, OrderChannel, OrderStatus, Statement, StatementStatus

from .commission_support import change, credits_of, default_policy, net_of, order_with_lines

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}
ZERO = Decimal("0")


@pytest.fixture(autouse=True)
def policy(db):
    return default_policy()


def test_a_cancellation_reverses_the_whole_credit(store_milano):
    order = order_with_lines((2, "19.99", "1.00"), **MILANO)
    commission_credit_order(order_id=order.pk)
    cancelled = change(order, OrderStatus.CANCELLED)
    commission_reverse_change(change_id=cancelled.pk)
    reversal = CommissionEntry.objects.get(order=order, kind=EntryKind.REVERSAL)
    assert reversal.amount == -credits_of(order)["MI01"]
    assert net_of(order) == {"MI01": ZERO}


def test_a_split_order_cancelled_reverses_each_store_exactly(store_milano, store_roma):
    order = order_with_lines((1, "33.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **ROMA)
    commission_credit_order(order_id=order.pk)
    commission_reverse_change(change_id=change(order, OrderStatus.CANCELLED).pk)
    assert net_of(order) == {"MI01": ZERO, "RM01": ZERO}


def test_a_partial_return_reverses_only_the_returned_lines(store_milano):
    order = order_with_lines((1, "100.00", "0"), (2, "40.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)  # (100 + 80) × 5% = 9.00
    sku = order.lines.order_by("id").last().sku
    commission_reverse_change(
        change_id=change(order, OrderStatus.PARTIALLY_RETURNED, lines=[{"sku": sku, "quantity": 1}]).pk
    )
    reversal = CommissionEntry.objects.get(order=order, kind=EntryKind.REVERSAL)
    assert (reversal.amount, reversal.base_amount) == (Decimal("-2.00"), Decimal("-40.00"))
    assert reversal.explanation["reversed_quantities"] == {sku: 1}


def test_partial_returns_then_the_rest_cancel_exactly(store_milano, store_roma):
    # 3 × 3.33 = 9.99 × 5% = 0.4995 → 0.50; returning one unit at a time: 0.1665 → 0.17, 0.333 → 0.33, 0.50
    order = order_with_lines((3, "3.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_roma, **MILANO)
    commission_credit_order(order_id=order.pk)
    sku = order.lines.get().sku
    for _ in range(2):
        change_ = change(order, OrderStatus.PARTIALLY_RETURNED, lines=[{"sku": sku, "quantity": 1}])
        commission_reverse_change(change_id=change_.pk)
    commission_reverse_change(change_id=change(order, OrderStatus.RETURNED).pk)  # empty lines: the rest
    assert net_of(order) == {"MI01": ZERO, "RM01": ZERO}
    assert CommissionEntry.objects.filter(order=order, kind=EntryKind.REVERSAL).count() == 6


def test_returning_more_than_was_bought_reverses_no_more_than_the_credit(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    sku = order.lines.get().sku
    commission_reverse_change(change_id=change(order, OrderStatus.RETURNED, lines=[{"sku": sku, "quantity": 5}]).pk)
    commission_reverse_change(change_id=change(order, OrderStatus.CANCELLED).pk)
    assert net_of(order) == {"MI01": ZERO}


def test_malformed_return_lines_are_ignored_not_fatal(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    bad = change(order, OrderStatus.PARTIALLY_RETURNED, lines=[{"sku": "NOPE", "quantity": 1}, {"quantity": "x"}, 7])
    commission_reverse_change(change_id=bad.pk)
    assert net_of(order) == {"MI01": Decimal("0.50")}


def test_the_reversal_lands_in_the_month_of_the_event(store_milano):
    order = order_with_lines((1, "10.00", "0"), placed_at=dt.datetime(2026, 9, 30, 10, tzinfo=dt.UTC), **MILANO)
    commission_credit_order(order_id=order.pk)
    commission_reverse_change(
        change_id=change(order, OrderStatus.RETURNED, occurred_at=dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC)).pk
    )
    periods = dict(CommissionEntry.objects.filter(order=order).values_list("kind", "period"))
    # 23:30 UTC on 31 October is 1 November in Rome.
    assert periods == {"credit": dt.date(2026, 9, 1), "reversal": dt.date(2026, 11, 1)}


def test_a_reversal_for_a_finalised_month_lands_in_the_next_open_month(store_milano):
    order = order_with_lines((1, "10.00", "0"), placed_at=dt.datetime(2026, 9, 10, 10, tzinfo=dt.UTC), **MILANO)
    commission_credit_order(order_id=order.pk)
    Statement.objects.filter(store=store_milano, period=dt.date(2026, 9, 1)).update(status=StatementStatus.FINALISED)
    Statement.objects.create(store=store_milano, period=dt.date(2026, 10, 1), status=StatementStatus.FINALISED)
    commission_reverse_change(
        change_id=change(order, OrderStatus.RETURNED, occurred_at=dt.datetime(2026, 9, 20, 10, tzinfo=dt.UTC)).pk
    )
    reversal = CommissionEntry.objects.get(order=order, kind=EntryKind.REVERSAL)
    assert reversal.period == dt.date(2026, 11, 1)


def test_a_late_credit_for_a_finalised_month_lands_in_the_next_open_month(store_milano):
    Statement.objects.create(store=store_milano, period=dt.date(2026, 9, 1), status=StatementStatus.FINALISED)
    order = order_with_lines((1, "10.00", "0"), placed_at=dt.datetime(2026, 9, 10, 10, tzinfo=dt.UTC), **MILANO)
    commission_credit_order(order_id=order.pk)
    assert CommissionEntry.objects.get(order=order).period == dt.date(2026, 10, 1)


def test_reversing_twice_reverses_once(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    cancelled = change(order, OrderStatus.CANCELLED)
    commission_reverse_change(change_id=cancelled.pk)
    commission_reverse_change(change_id=cancelled.pk)
    commissions_reverse_order(order_id=order.pk)
    assert CommissionEntry.objects.filter(order=order, kind=EntryKind.REVERSAL).count() == 1


def test_a_cancelled_order_never_credited_is_credited_then_reversed(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_reverse_change(change_id=change(order, OrderStatus.CANCELLED).pk)
    assert CommissionEntry.objects.filter(order=order).count() == 2
    assert net_of(order) == {"MI01": ZERO}


def test_a_status_change_that_is_not_a_reversal_does_nothing(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    assert commission_reverse_change(change_id=change(order, OrderStatus.SHIPPED).pk) == 0
    assert commission_reverse_change(change_id=987654) == 0
