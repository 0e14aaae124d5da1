"""Migrations orders 0009, 0010 and 0011 turn a ledger that only had event keys and explanations into the typed one.

The ledger is built as the code before them wrote it (historical models at 0008), then migrated forward.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from orders.commissions.ledger import commission_reverse_change
from orders.models import CommissionCreditLine, CommissionEntry, OrderStatus, commission_event_key

from .commission_support import change, net_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
BEFORE = [("orders", "0008_waiting_rows_indexes")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_typing():
    """The database at orders 0008, with the models of that time; migrated to the latest state afterwards."""
    migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    migrate(latest())


def _old_ledger(apps, *, second_sku: str = "SKU-B"):
    """Two orders credited and reversed the way the code before 0009 wrote the ledger.

    ORD-1: a home delivery to Milano, two lines, one unit returned. ORD-2: an endless-aisle order sold in
    Roma for Milano (split), cancelled.
    """
    Location = apps.get_model("omniportal", "Location")
    Policy = apps.get_model("orders", "CommissionPolicy")
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    Change = apps.get_model("orders", "OrderStatusChange")
    Entry = apps.get_model("orders", "CommissionEntry")
    milano = Location.objects.create(code="MI01", name="Milano", kind="store", lat=45.4642, lon=9.19)
    roma = Location.objects.create(code="RM01", name="Roma", kind="store", lat=41.9028, lon=12.4964)
    policy = Policy.objects.filter(effective_from=dt.date(2000, 1, 1)).first() or Policy.objects.create(
        name="Default", effective_from=dt.date(2000, 1, 1), default_rate=Decimal("0.05"), assisted_share=Decimal("0.5")
    )
    now = timezone.now()
    common = {"currency": "EUR", "period": now.date().replace(day=1), "location_source": "given", "policy": policy}

    def order(number, **fields):
        return Order.objects.create(
            number=number, channel="web", placed_at=now, currency="EUR", delivery_method="home",
            delivery_lat=45.466, delivery_lon=9.186, location_source="given", tracking_token=number, **fields,
        )  # fmt: skip

    def explanation(role, share, lines):
        return {"beneficiary": "nearest", "role": role, "share": share, "lines": lines}

    first = order("ORD-1")
    a = OrderLine.objects.create(order=first, sku="SKU-A", quantity=2, unit_price=Decimal("20.00"))
    b = OrderLine.objects.create(order=first, sku=second_sku, quantity=1, unit_price=Decimal("10.00"))
    first_lines = [
        {"sku": "SKU-A", "quantity": 2, "net": "40.00", "rate": "0.0500"},
        {"sku": "SKU-B", "quantity": 1, "net": "10.00", "rate": "0.1000"},
    ]
    Entry.objects.create(
        order=first, store=milano, kind="credit", event_key="credit", amount=Decimal("3.00"),
        base_amount=Decimal("50.00"), rate=Decimal("0.0600"), share=Decimal("1"),
        explanation=explanation("beneficiary", "1", first_lines), **common,
    )  # fmt: skip
    returned = Change.objects.create(
        order=first, from_status="delivered", to_status="partially_returned", occurred_at=now,
        lines=[{"sku": "SKU-A", "quantity": 1}],
    )  # fmt: skip
    Entry.objects.create(
        order=first, store=milano, kind="reversal", event_key=f"change:{returned.pk}", amount=Decimal("-1.00"),
        base_amount=Decimal("-20.00"), rate=Decimal("0.0600"), share=Decimal("1"),
        explanation={"reversal": "partially_returned", "change": returned.pk}, **common,
    )  # fmt: skip

    second = order("ORD-2", selling_store=roma)
    c = OrderLine.objects.create(order=second, sku="SKU-C", quantity=1, unit_price=Decimal("33.33"))
    second_lines = [{"sku": "SKU-C", "quantity": 1, "net": "33.33", "rate": "0.0500"}]
    for store, role, key, amount, share in (
        (milano, "beneficiary", "credit", "0.83", "0.5"),
        (roma, "assisted", "credit:assisted", "0.84", "0.5"),
    ):
        Entry.objects.create(
            order=second, store=store, kind="credit", event_key=key, amount=Decimal(amount),
            base_amount=Decimal("33.33"), rate=Decimal("0.0500"), share=Decimal(share),
            explanation=explanation(role, share, second_lines), **common,
        )  # fmt: skip
    cancelled = Change.objects.create(order=second, from_status="placed", to_status="cancelled", occurred_at=now)
    for store, suffix, amount in ((milano, "", "-0.83"), (roma, ":assisted", "-0.84")):
        Entry.objects.create(
            order=second, store=store, kind="reversal", event_key=f"change:{cancelled.pk}{suffix}",
            amount=Decimal(amount), base_amount=Decimal("-33.33"), rate=Decimal("0.0500"), share=Decimal("0.5"),
            explanation={"reversal": "cancelled", "change": cancelled.pk}, **common,
        )  # fmt: skip
    return {"first": first.pk, "second": second.pk, "returned": returned.pk, "cancelled": cancelled.pk,
            "lines": (a.pk, b.pk, c.pk)}  # fmt: skip


def test_the_backfill_types_every_entry_from_its_event_key(before_typing):
    ids = _old_ledger(before_typing)
    migrate(latest())
    typed = set(CommissionEntry.objects.values_list("order_id", "store__code", "kind", "role", "status_change_id"))
    assert typed == {
        (ids["first"], "MI01", "credit", "beneficiary", None),
        (ids["first"], "MI01", "reversal", "beneficiary", ids["returned"]),
        (ids["second"], "MI01", "credit", "beneficiary", None),
        (ids["second"], "RM01", "credit", "assisted", None),
        (ids["second"], "MI01", "reversal", "beneficiary", ids["cancelled"]),
        (ids["second"], "RM01", "reversal", "assisted", ids["cancelled"]),
    }
    for entry in CommissionEntry.objects.all():
        assert entry.event_key == commission_event_key(role=entry.role, status_change_id=entry.status_change_id)


def test_the_backfill_copies_each_credits_lines_onto_the_order_lines(before_typing):
    ids = _old_ledger(before_typing)
    migrate(latest())
    a, b, c = ids["lines"]
    lines = CommissionCreditLine.objects.order_by("order_line_id").values_list(
        "order_id", "order_line_id", "sku", "quantity", "net", "rate"
    )
    assert list(lines) == [
        (ids["first"], a, "SKU-A", 2, Decimal("40.00"), Decimal("0.0500")),
        (ids["first"], b, "SKU-B", 1, Decimal("10.00"), Decimal("0.1000")),
        (ids["second"], c, "SKU-C", 1, Decimal("33.33"), Decimal("0.0500")),
    ]


def test_a_migrated_ledger_reverses_the_rest_of_an_order_exactly(before_typing):
    ids = _old_ledger(before_typing)
    migrate(latest())
    first = CommissionEntry.objects.filter(order_id=ids["first"]).first().order
    commission_reverse_change(change_id=change(first, OrderStatus.RETURNED).pk)
    assert net_of(first) == {"MI01": Decimal("0.00")}


def test_a_listed_line_that_matches_no_order_line_stops_the_migration(before_typing):
    ids = _old_ledger(before_typing, second_sku="SKU-OTHER")
    migrate([("orders", "0010_commission_entry_typed_backfill")])
    with pytest.raises(RuntimeError, match="credits list 3 order lines, 2 of them match"):
        migrate(latest())
    assert "orders_commissioncreditline" not in connection.introspection.table_names()
    # Once the order line says what the credit listed, the migration goes through.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orders_orderline SET sku = 'SKU-B' WHERE id = %s", [ids["lines"][1]])
    migrate(latest())
    assert CommissionCreditLine.objects.count() == 3


def test_the_code_before_the_migrations_cannot_write_an_untyped_entry_after_them(before_typing):
    """`migrate` runs while the previous release still serves: its workers' inserts, which know nothing of
    `role`, are refused (and the new code's sweep credits those orders), rather than mistyped."""
    ids = _old_ledger(before_typing)
    migrate(latest())
    entry = CommissionEntry.objects.filter(order_id=ids["second"], role="assisted", kind="credit").get()
    old_insert = (
        "INSERT INTO orders_commissionentry (order_id, store_id, kind, event_key, amount, base_amount, currency, "
        "period, distance_km, location_source, policy_id, rate, share, explanation, created_at) "
        "VALUES (%s, %s, 'credit', 'credit:assisted', 1, 1, 'EUR', %s, NULL, 'given', %s, 0.05, 0.5, '{}', %s)"
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(old_insert, [ids["first"], entry.store_id, entry.period, entry.policy_id, timezone.now()])
