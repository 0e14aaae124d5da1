"""The ledger's typed columns (kind, role, status change) on every path that writes an entry, and the event
key the database decides exactly-once with, always spelt from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from orders.commissions.ledger import commission_credit_order, commission_reverse_change, commissions_sweep
from orders.models import CommissionEntry, EntryKind, EntryRole, Order, OrderChannel, OrderStatus, commission_event_key

from .commission_support import change, default_policy, order_with_lines

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}
CREDIT, REVERSAL = EntryKind.CREDIT, EntryKind.REVERSAL
BENEFICIARY, ASSISTED = EntryRole.BENEFICIARY, EntryRole.ASSISTED


@pytest.fixture(autouse=True)
def policy(db):
    return default_policy()


def typed(order) -> set[tuple[str, str, str, int | None]]:
    """(store, kind, role, status change) of each of the order's entries; checks each event key on the way."""
    rows = CommissionEntry.objects.filter(order=order).values_list(
        "store__code", "kind", "role", "status_change_id", "event_key"
    )
    for _store, kind, role, status_change_id, event_key in rows:
        assert event_key == commission_event_key(role=role, status_change_id=status_change_id)
        assert kind == (CREDIT if status_change_id is None else REVERSAL)
    return {row[:4] for row in rows}


def test_a_credit_is_the_beneficiarys_and_names_no_status_change(store_milano):
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    assert typed(order) == {("MI01", CREDIT, BENEFICIARY, None)}
    assert CommissionEntry.objects.get(order=order).event_key == "credit"


def test_an_assisted_credit_writes_one_entry_per_role(store_milano, store_roma):
    order = order_with_lines((1, "33.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **ROMA)
    commission_credit_order(order_id=order.pk)
    assert typed(order) == {("RM01", CREDIT, BENEFICIARY, None), ("MI01", CREDIT, ASSISTED, None)}


def test_a_cancellation_reverses_each_role_against_its_status_change(store_milano, store_roma):
    order = order_with_lines((1, "33.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **ROMA)
    commission_credit_order(order_id=order.pk)
    cancelled = change(order, OrderStatus.CANCELLED)
    commission_reverse_change(change_id=cancelled.pk)
    assert typed(order) == {
        ("RM01", CREDIT, BENEFICIARY, None),
        ("MI01", CREDIT, ASSISTED, None),
        ("RM01", REVERSAL, BENEFICIARY, cancelled.pk),
        ("MI01", REVERSAL, ASSISTED, cancelled.pk),
    }


def test_each_partial_return_is_reversed_against_its_own_status_change(store_milano):
    order = order_with_lines((3, "10.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    sku = order.lines.get().sku
    first = change(order, OrderStatus.PARTIALLY_RETURNED, lines=[{"sku": sku, "quantity": 1}])
    commission_reverse_change(change_id=first.pk)
    second = change(order, OrderStatus.RETURNED)
    commission_reverse_change(change_id=second.pk)
    assert typed(order) == {
        ("MI01", CREDIT, BENEFICIARY, None),
        ("MI01", REVERSAL, BENEFICIARY, first.pk),
        ("MI01", REVERSAL, BENEFICIARY, second.pk),
    }


def test_the_sweep_writes_the_same_typed_entries_as_the_tasks(store_milano, store_roma):
    order = order_with_lines((1, "33.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **ROMA)
    cancelled = change(order, OrderStatus.CANCELLED)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Order.objects.filter(pk=order.pk).update(created_at=long_ago)
    type(cancelled).objects.filter(pk=cancelled.pk).update(created_at=long_ago)
    result = commissions_sweep(grace=dt.timedelta(minutes=5))
    assert (result.orders_attempted, result.reversals) == (1, 1)
    assert typed(order) == {
        ("RM01", CREDIT, BENEFICIARY, None),
        ("MI01", CREDIT, ASSISTED, None),
        ("RM01", REVERSAL, BENEFICIARY, cancelled.pk),
        ("MI01", REVERSAL, ASSISTED, cancelled.pk),
    }
    assert commissions_sweep(grace=dt.timedelta(minutes=5)).reversals == 0


@pytest.mark.parametrize(
    "role,status_change_id,key",
    [
        (BENEFICIARY, None, "credit"),
        (ASSISTED, None, "credit:assisted"),
        (BENEFICIARY, 42, "change:42"),
        (ASSISTED, 42, "change:42:assisted"),
    ],
)
def test_the_event_key_keeps_the_spelling_the_existing_ledger_uses(role, status_change_id, key):
    assert commission_event_key(role=role, status_change_id=status_change_id) == key
