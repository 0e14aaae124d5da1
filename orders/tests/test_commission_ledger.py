from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from orders.commissions.ledger import commission_credit_order
from orders.commissions.policies import commission_policy_save
from orders.models import CommissionEntry, CommissionPolicy, LedgerIsAppendOnly

from .commission_support import default_policy, order_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(store_milano):
    default_policy()
    order = order_with_lines((1, "100.00", "0"), delivery_lat=45.466, delivery_lon=9.186)
    commission_credit_order(order_id=order.pk)
    return CommissionEntry.objects.get(order=order)


def test_an_entry_cannot_be_changed(entry):
    entry.amount = Decimal("999.00")
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    assert CommissionEntry.objects.get(pk=entry.pk).amount == Decimal("5.00")


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        CommissionEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(LedgerIsAppendOnly):
        CommissionEntry.objects.all().delete()
    assert CommissionEntry.objects.filter(pk=entry.pk).exists()


def test_entries_cannot_be_updated_in_bulk(entry):
    with pytest.raises(LedgerIsAppendOnly):
        CommissionEntry.objects.filter(pk=entry.pk).update(amount=0)
    with pytest.raises(LedgerIsAppendOnly):
        CommissionEntry.objects.bulk_update([entry], ["amount"])


@pytest.mark.postgres
def test_postgresql_refuses_updating_or_deleting_an_entry_even_in_raw_sql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    for sql in ("UPDATE orders_commissionentry SET amount = 0", "DELETE FROM orders_commissionentry"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CommissionEntry.objects.get(pk=entry.pk).amount == Decimal("5.00")


def test_the_same_credit_cannot_be_inserted_twice_for_another_store(entry, store_roma):
    clone = CommissionEntry(**{f.attname: getattr(entry, f.attname) for f in CommissionEntry._meta.concrete_fields})
    clone.pk = None
    clone.store = store_roma
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


# ── Policies ──


def test_a_fresh_database_has_the_default_policy_in_force():
    policy = CommissionPolicy.objects.get()
    assert (policy.default_rate, policy.assisted_share, policy.effective_to) == (Decimal("0.05"), Decimal("0.5"), None)
    assert not policy.category_rates.exists()


def test_two_policies_in_force_on_one_date_are_refused_by_validation():
    default_policy()
    overlapping = CommissionPolicy(
        name="Winter", effective_from=dt.date(2027, 1, 1), default_rate=Decimal("0.07"), assisted_share=Decimal("0.5")
    )
    with pytest.raises(ValidationError, match="Only one policy"):
        commission_policy_save(policy=overlapping)
    assert CommissionPolicy.objects.count() == 1


def test_a_policy_after_the_current_one_ends_is_accepted():
    current = default_policy()
    current.effective_to = dt.date(2026, 12, 31)
    commission_policy_save(policy=current)
    commission_policy_save(
        policy=CommissionPolicy(
            name="2027", effective_from=dt.date(2027, 1, 1), default_rate=Decimal("0.07"), assisted_share=Decimal("0.4")
        )
    )
    assert CommissionPolicy.objects.count() == 2


def test_the_database_refuses_overlapping_policies_even_without_validation():
    default_policy()
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionPolicy.objects.create(
            name="Sneaky",
            effective_from=dt.date(2026, 6, 1),
            effective_to=dt.date(2026, 6, 30),
            default_rate=Decimal("0.5"),
            assisted_share=Decimal("0.5"),
        )


def test_moving_a_policy_onto_another_is_refused_by_the_database():
    current = default_policy()
    current.effective_to = dt.date(2026, 12, 31)
    current.save()
    later = CommissionPolicy.objects.create(
        name="2027", effective_from=dt.date(2027, 1, 1), default_rate=Decimal("0.07"), assisted_share=Decimal("0.4")
    )
    later.effective_from = dt.date(2026, 12, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()
