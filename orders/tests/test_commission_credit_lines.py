"""The credited lines: written with the credit, once, never changed; reversals compute from them, not from
the explanation (which stays, as the audit record people read)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from inventory.factories import CategoryFactory
from orders.commissions.ledger import commission_credit_order, commission_reverse_change, commissions_credit_orders
from orders.models import (
    CategoryRate,
    CommissionCreditLine,
    CommissionEntry,
    EntryKind,
    LedgerIsAppendOnly,
    LocationSource,
    OrderChannel,
    OrderStatus,
)

from .commission_support import change, credits_of, default_policy, net_of, order_with_lines

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}
ZERO = Decimal("0")


@pytest.fixture(autouse=True)
def policy(db):
    return default_policy()


def credited_lines(order) -> list[tuple]:
    return list(
        CommissionCreditLine.objects.filter(order=order)
        .order_by("order_line_id")
        .values_list("order_line_id", "sku", "quantity", "net", "rate")
    )


def rewrite_explanations(order, explanation: dict) -> None:
    """Change what the order's entries say about themselves, behind the ledger's back (only a test may)."""
    table = CommissionEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Triggers off for this one statement: the append-only guard would (rightly) refuse it.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"UPDATE {table} SET explanation = %s::jsonb WHERE order_id = %s", [json.dumps(explanation), order.pk]
            )
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        else:
            cursor.execute(
                f"UPDATE {table} SET explanation = %s WHERE order_id = %s", [json.dumps(explanation), order.pk]
            )


def test_a_credit_records_each_order_line_it_counted_with_its_rate(store_milano, policy):
    shoes = CategoryFactory(code="shoes")
    CategoryRate.objects.create(policy=policy, category=shoes, rate=Decimal("0.1000"))
    order = order_with_lines((2, "40.00", "5.00"), **MILANO)
    shoe = order_with_lines((1, "100.00", "0"), category=shoes).lines.get()
    shoe.order = order
    shoe.save()
    commission_credit_order(order_id=order.pk)
    first, second = order.lines.order_by("pk")
    assert credited_lines(order) == [
        (first.pk, first.sku, 2, Decimal("75.00"), Decimal("0.0500")),
        (second.pk, second.sku, 1, Decimal("100.00"), Decimal("0.1000")),
    ]


def test_an_assisted_credit_records_its_lines_once_not_per_store(store_milano, store_roma):
    order = order_with_lines((1, "33.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **ROMA)
    commission_credit_order(order_id=order.pk)
    assert len(credited_lines(order)) == 1


def test_crediting_twice_records_the_lines_once(store_milano):
    order = order_with_lines((1, "10.00", "0"), (2, "5.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    commission_credit_order(order_id=order.pk)
    commissions_credit_orders(order_ids=[order.pk, order.pk])
    assert len(credited_lines(order)) == 2


def test_a_held_order_records_no_lines(store_milano):
    order = order_with_lines(
        (1, "10.00", "0"), delivery_lat=None, delivery_lon=None, location_source=LocationSource.UNLOCATED
    )
    commission_credit_order(order_id=order.pk)
    assert credited_lines(order) == []


def test_a_batch_records_every_orders_lines(store_milano, store_roma):
    # 30 orders: the COPY path on PostgreSQL, bulk_create elsewhere.
    orders = [order_with_lines((1, "10.00", "0"), (1, "20.00", "0"), **(MILANO if i % 2 else ROMA)) for i in range(30)]
    commissions_credit_orders(order_ids=[order.pk for order in orders])
    commissions_credit_orders(order_ids=[order.pk for order in orders])
    assert CommissionCreditLine.objects.filter(order__in=orders).count() == 60
    assert CommissionEntry.objects.filter(order__in=orders).count() == 30


def test_a_line_cannot_be_credited_twice_even_by_hand(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    line = CommissionCreditLine.objects.get(order=order)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionCreditLine.objects.create(
            order=order, order_line_id=line.order_line_id, sku=line.sku, quantity=1, net=line.net, rate=line.rate
        )


def test_credited_lines_cannot_be_changed_or_deleted(store_milano):
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    line = CommissionCreditLine.objects.get(order=order)
    line.quantity = 5
    with pytest.raises(LedgerIsAppendOnly):
        line.save()
    with pytest.raises(LedgerIsAppendOnly):
        line.delete()
    with pytest.raises(LedgerIsAppendOnly):
        CommissionCreditLine.objects.filter(order=order).update(quantity=5)
    with pytest.raises(LedgerIsAppendOnly):
        CommissionCreditLine.objects.filter(order=order).delete()
    assert CommissionCreditLine.objects.get(order=order).quantity == 1


@pytest.mark.postgres
def test_postgresql_refuses_changing_credited_lines_even_in_raw_sql(store_milano):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    order = order_with_lines((1, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    for sql in ("UPDATE orders_commissioncreditline SET quantity = 5", "DELETE FROM orders_commissioncreditline"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CommissionCreditLine.objects.get(order=order).quantity == 1


# ── Reversals read the credited lines, not the explanation ──


@pytest.mark.parametrize(
    "explanation",
    [
        {},
        {"lines": [{"sku": "NOT-SOLD", "quantity": 99, "net": "1.00", "rate": "0.9000"}], "role": "assisted"},
    ],
    ids=["emptied", "rewritten"],
)
def test_a_reversal_stays_exact_whatever_the_explanation_says(store_milano, store_roma, explanation):
    # 3 × 3.33 = 9.99 and 1 × 20.00: (9.99 + 20.00) × 5% = 1.4995 → 1.50, split 0.75 / 0.75
    order = order_with_lines(
        (3, "3.33", "0"), (1, "20.00", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_roma, **MILANO
    )
    commission_credit_order(order_id=order.pk)
    assert credits_of(order) == {"MI01": Decimal("0.75"), "RM01": Decimal("0.75")}
    rewrite_explanations(order, explanation)
    sku = order.lines.order_by("pk").first().sku
    commission_reverse_change(
        change_id=change(order, OrderStatus.PARTIALLY_RETURNED, lines=[{"sku": sku, "quantity": 1}]).pk
    )
    # one unit of 3.33 × 5% = 0.1665 → 0.17, split 0.08 (selling store, half-even) / 0.09
    reversals = dict(
        CommissionEntry.objects.filter(order=order, kind=EntryKind.REVERSAL).values_list("store__code", "amount")
    )
    assert reversals == {"RM01": Decimal("-0.08"), "MI01": Decimal("-0.09")}
    commission_reverse_change(change_id=change(order, OrderStatus.CANCELLED).pk)
    assert net_of(order) == {"MI01": ZERO, "RM01": ZERO}
