from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from inventory.factories import CategoryFactory
from omniportal.factories import LocationFactory
from omniportal.geo import haversine_km
from orders.commissions.ledger import commission_credit_order, commissions_credit_orders
from orders.models import (
    CategoryRate,
    CommissionEntry,
    CommissionPolicy,
    DeliveryMethod,
    LocationSource,
    OrderChannel,
)

from .commission_support import credits_of, default_policy, order_with_lines

pytestmark = pytest.mark.django_db

# A delivery in Milano (Via Dante) and one in Roma (Trastevere).
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}


@pytest.fixture(autouse=True)
def policy(db):
    return default_policy()


def test_home_delivery_credits_the_nearest_store(store_milano, store_roma):
    order = order_with_lines((2, "50.00", "0"), **ROMA)
    commission_credit_order(order_id=order.pk)
    assert credits_of(order) == {"RM01": Decimal("5.00")}


def test_amount_excludes_shipping_and_subtracts_line_discounts(store_milano):
    order = order_with_lines((3, "19.99", "5.00"), (1, "10.00", "0"), shipping_amount=Decimal("9.90"), **MILANO)
    commission_credit_order(order_id=order.pk)
    # (59.97 − 5.00 + 10.00) × 5% = 3.2485 → 3.25 (half-even at the third decimal, not a tie)
    entry = CommissionEntry.objects.get(order=order)
    assert (entry.base_amount, entry.amount, entry.rate) == (Decimal("64.97"), Decimal("3.25"), Decimal("0.0500"))


def test_half_cent_ties_round_to_even(store_milano):
    order = order_with_lines((1, "0.50", "0"), **MILANO)  # 0.025 → 0.02
    other = order_with_lines((1, "0.70", "0"), **MILANO)  # 0.035 → 0.04
    commissions_credit_orders(order_ids=[order.pk, other.pk])
    assert credits_of(order) == {"MI01": Decimal("0.02")}
    assert credits_of(other) == {"MI01": Decimal("0.04")}


def test_category_and_default_rates_are_summed_unrounded_and_rounded_once(store_milano, policy):
    shoes = CategoryFactory(code="shoes")
    CategoryRate.objects.create(policy=policy, category=shoes, rate=Decimal("0.0300"))
    order = order_with_lines((1, "0.50", "0"), category=shoes, **MILANO)
    line = order_with_lines((1, "0.30", "0")).lines.get()
    line.order = order
    line.save()
    commission_credit_order(order_id=order.pk)
    # 0.50 × 3% + 0.30 × 5% = 0.015 + 0.015 = 0.03; rounding each line first would give 0.02 + 0.02 = 0.04
    entry = CommissionEntry.objects.get(order=order)
    assert (entry.amount, entry.rate) == (Decimal("0.03"), Decimal("0.0375"))
    assert [line["rate"] for line in entry.explanation["lines"]] == ["0.0300", "0.0500"]


def test_rounding_once_differs_from_rounding_each_line(store_milano, policy):
    shoes = CategoryFactory(code="shoes")
    CategoryRate.objects.create(policy=policy, category=shoes, rate=Decimal("0.0500"))
    # three lines of 0.30 × 5% = 0.015 each: rounded once 0.045 → 0.04; rounded per line 0.02 × 3 = 0.06
    order = order_with_lines((1, "0.30", "0"), (1, "0.30", "0"), (1, "0.30", "0"), category=shoes, **MILANO)
    commission_credit_order(order_id=order.pk)
    assert credits_of(order) == {"MI01": Decimal("0.04")}


def test_mixed_rates_record_the_weighted_rate_and_each_line(store_milano, policy):
    shoes = CategoryFactory(code="shoes")
    CategoryRate.objects.create(policy=policy, category=shoes, rate=Decimal("0.1000"))
    order = order_with_lines((1, "100.00", "0"), category=shoes, **MILANO)
    order_line_other = order_with_lines((1, "100.00", "0"), **MILANO)  # a second order, default rate
    commissions_credit_orders(order_ids=[order.pk, order_line_other.pk])
    assert credits_of(order) == {"MI01": Decimal("10.00")}
    assert credits_of(order_line_other) == {"MI01": Decimal("5.00")}
    entry = CommissionEntry.objects.get(order=order)
    assert entry.explanation["lines"][0]["rate"] == "0.1000"


def test_pickup_orders_credit_the_pickup_store_even_when_another_is_nearer(store_milano, store_roma):
    order = order_with_lines(
        (1, "100.00", "0"), delivery_method=DeliveryMethod.PICKUP, pickup_store=store_roma, **MILANO
    )
    commission_credit_order(order_id=order.pk)
    entry = CommissionEntry.objects.get(order=order)
    assert entry.store == store_roma and entry.explanation["beneficiary"] == "pickup"


def test_pickup_orders_need_no_delivery_location(store_roma):
    order = order_with_lines(
        (1, "100.00", "0"),
        delivery_method=DeliveryMethod.PICKUP,
        pickup_store=store_roma,
        delivery_lat=None,
        delivery_lon=None,
        location_source=LocationSource.UNLOCATED,
    )
    commission_credit_order(order_id=order.pk)
    assert credits_of(order) == {"RM01": Decimal("5.00")}
    assert CommissionEntry.objects.get(order=order).distance_km is None


def test_inactive_and_ineligible_stores_are_never_credited(store_milano, store_roma):
    LocationFactory(code="MI02", lat=45.4660, lon=9.1860, commission_eligible=False)
    LocationFactory(code="MI03", lat=45.4661, lon=9.1861, active=False)
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    assert credits_of(order) == {"MI01": Decimal("5.00")}


def test_equidistant_stores_go_to_the_lowest_code(db):
    LocationFactory(code="B-STORE", lat=45.0, lon=9.0)
    LocationFactory(code="A-STORE", lat=45.0, lon=9.0)
    order = order_with_lines((1, "100.00", "0"), delivery_lat=45.1, delivery_lon=9.1)
    commission_credit_order(order_id=order.pk)
    assert list(credits_of(order)) == ["A-STORE"]


def test_endless_aisle_order_splits_between_selling_store_and_nearest(store_milano, store_roma):
    order = order_with_lines((1, "33.33", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **ROMA)
    commission_credit_order(order_id=order.pk)
    # 33.33 × 5% = 1.6665 → 1.67; selling store 50% = 0.835 → 0.84 (half-even), Roma the remainder 0.83
    assert credits_of(order) == {"MI01": Decimal("0.84"), "RM01": Decimal("0.83")}
    assert sum(credits_of(order).values()) == Decimal("1.67")
    shares = dict(CommissionEntry.objects.filter(order=order).values_list("store__code", "share"))
    assert shares == {"MI01": Decimal("0.5"), "RM01": Decimal("0.5")}


def test_endless_aisle_order_delivered_near_the_selling_store_is_not_split(store_milano, store_roma):
    order = order_with_lines(
        (1, "100.00", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_milano, **MILANO
    )
    commission_credit_order(order_id=order.pk)
    assert credits_of(order) == {"MI01": Decimal("5.00")}


def test_the_policy_in_force_on_the_local_order_date_applies(store_milano, policy):
    policy.effective_to = dt.date(2026, 12, 31)
    policy.save()
    CommissionPolicy.objects.create(
        name="2027", effective_from=dt.date(2027, 1, 1), default_rate=Decimal("0.10"), assisted_share=Decimal("0.5")
    )
    # 23:30 UTC on 31 December is already 1 January in Rome.
    order = order_with_lines((1, "100.00", "0"), placed_at=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), **MILANO)
    commission_credit_order(order_id=order.pk)
    entry = CommissionEntry.objects.get(order=order)
    assert (entry.amount, entry.policy.name, entry.period) == (Decimal("10.00"), "2027", dt.date(2027, 1, 1))


def test_an_order_without_a_policy_in_force_is_held(store_milano, policy):
    policy.effective_from = dt.date(2030, 1, 1)
    policy.save()
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    assert commission_credit_order(order_id=order.pk).held == 1
    assert not CommissionEntry.objects.filter(order=order).exists()


def test_unlocated_orders_are_held_not_credited(store_milano):
    order = order_with_lines(
        (1, "100.00", "0"), delivery_lat=None, delivery_lon=None, location_source=LocationSource.UNLOCATED
    )
    assert commission_credit_order(order_id=order.pk).held == 1
    assert not CommissionEntry.objects.filter(order=order).exists()


def test_crediting_twice_credits_once(store_milano, store_roma):
    order = order_with_lines((1, "100.00", "0"), channel=OrderChannel.ENDLESS_AISLE, selling_store=store_roma, **MILANO)
    commission_credit_order(order_id=order.pk)
    commission_credit_order(order_id=order.pk)
    commissions_credit_orders(order_ids=[order.pk, order.pk])
    assert CommissionEntry.objects.filter(order=order).count() == 2
    assert credits_of(order) == {"MI01": Decimal("2.50"), "RM01": Decimal("2.50")}


def test_each_entry_explains_itself(store_milano):
    order = order_with_lines((1, "100.00", "0"), location_source=LocationSource.POSTAL_CODE, **MILANO)
    commission_credit_order(order_id=order.pk)
    entry = CommissionEntry.objects.get(order=order)
    assert entry.location_source == "postal_code"
    assert entry.distance_km == haversine_km(45.466, 9.186, store_milano.lat, store_milano.lon)
    assert entry.explanation["location"] == {"lat": 45.466, "lon": 9.186}
    assert entry.explanation["policy"]["name"] == "Default"
    assert entry.explanation["beneficiary"] == "nearest"
    assert entry.explanation["lines"][0] == {
        "sku": order.lines.get().sku,
        "quantity": 1,
        "net": "100.00",
        "rate": "0.0500",
    }


def test_a_batch_credits_every_order_with_few_queries(store_milano, store_roma, django_assert_max_num_queries):
    orders = [order_with_lines((1, "10.00", "0"), **(MILANO if i % 2 else ROMA)) for i in range(30)]
    with django_assert_max_num_queries(14):  # constant in the batch size (COPY path on PostgreSQL)
        commissions_credit_orders(order_ids=[order.pk for order in orders])
    assert CommissionEntry.objects.count() == 30
