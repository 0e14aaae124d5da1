"""The daily facts and the report built from them, on hand-made scenarios with known answers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from clienteling.models import CartStatus, EventType
from insights.facts import InsightDayInFuture, insight_day_rebuild, insight_days_rebuild
from insights.models import CartDayFact, DistanceBand, InfluenceDayFact, RopoDayFact, StoreDayFact
from insights.report import insight_report
from orders.models import EntryKind

from .scenario import DAY, at, cart, credit, customer_near, sale, viewed

pytestmark = pytest.mark.django_db

LATER = at(DAY + timedelta(days=40))  # "now" for builds: every cart of DAY is older than 24 hours


def build(*days, as_of=LATER):
    for day in days or (DAY,):
        insight_day_rebuild(day=day, as_of=as_of)


def report_for(user, *, window=14, date_from=DAY, date_to=DAY + timedelta(days=35), store=None):
    return insight_report(user=user, date_from=date_from, date_to=date_to, window_days=window, store=store)


def band(report, value):
    return next(row for row in report.bands if row.band == value)


def build_period(date_from=DAY, days=36, as_of=LATER):
    insight_days_rebuild(date_from=date_from, date_to=date_from + timedelta(days=days - 1), as_of=as_of)


def test_abandoned_means_status_abandoned_or_active_untouched_for_24_hours(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 9), CartStatus.ABANDONED)
    cart(shopper, at(DAY, 10), CartStatus.ACTIVE)  # 26 hours before the build: abandoned
    cart(shopper, at(DAY, 20), CartStatus.ACTIVE)  # 16 hours before the build: still open
    cart(shopper, at(DAY, 11), CartStatus.ORDERED)

    build(as_of=at(DAY + timedelta(days=1), 12))

    total = report_for(head_office).total
    assert (total.carts, total.abandoned, total.ordered) == (4, 2, 1)
    assert total.abandonment_rate == 50.0
    assert total.conversion_rate == 25.0
    assert total.abandoned_value == Decimal("100.00")


def test_a_cart_belongs_to_the_local_day_of_its_last_update(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 23, 30))  # 21:30 UTC: still DAY in Rome
    cart(shopper, at(DAY + timedelta(days=1), 0, 30))  # 22:30 UTC of DAY, but the next day in Rome

    build()

    assert CartDayFact.objects.get(day=DAY).carts == 1


@pytest.mark.parametrize(
    ("km", "expected"),
    [
        (0.0, DistanceBand.NEAR),
        (4.99, DistanceBand.NEAR),
        (5.0, DistanceBand.TOWN),
        (14.99, DistanceBand.TOWN),
        (15.0, DistanceBand.REGION),
        (49.99, DistanceBand.REGION),
        (50.0, DistanceBand.FAR),
        (420.0, DistanceBand.FAR),
        (None, DistanceBand.UNKNOWN),
    ],
)
def test_distance_band_lower_edge_is_inclusive(store_milano, km, expected):
    cart(customer_near(store_milano, km), at(DAY))

    build()

    assert CartDayFact.objects.get(day=DAY).band == expected


def test_anonymous_cart_counts_in_unknown_band_but_not_as_a_known_abandoned_cart(head_office):
    cart(None, at(DAY))

    build()

    unknown = band(report_for(head_office), DistanceBand.UNKNOWN)
    assert (unknown.carts, unknown.abandoned, unknown.abandoned_known) == (1, 1, 0)


def test_store_purchase_of_a_cart_sku_after_the_cart_is_ropo(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10), skus=("SKU-A", "SKU-B"))
    sale(shopper, store_milano, at(DAY + timedelta(days=3)), lines=[("SKU-A", 2, "50.00"), ("SKU-Z", 1, "30.00")])

    build_period()

    near = band(report_for(head_office), DistanceBand.NEAR)
    assert (near.abandoned_known, near.ropo_carts) == (1, 1)
    assert near.ropo_share == 100.0
    assert near.ropo_revenue == Decimal("100.00")  # SKU-Z was not in the cart


def test_purchase_before_the_cart_is_not_ropo(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    sale(shopper, store_milano, at(DAY, 9))
    cart(shopper, at(DAY, 10))

    build_period()

    assert report_for(head_office).total.ropo_carts == 0


def test_another_customers_purchase_is_not_ropo(store_milano, head_office):
    cart(customer_near(store_milano, 2.0), at(DAY, 10))
    sale(customer_near(store_milano, 2.0), store_milano, at(DAY + timedelta(days=1)))

    build_period()

    assert report_for(head_office).total.ropo_carts == 0


def test_purchase_of_a_sku_not_in_the_cart_is_not_ropo(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10), skus=("SKU-A",))
    sale(shopper, store_milano, at(DAY + timedelta(days=1)), lines=[("SKU-B", 1, "50.00")])

    build_period()

    assert report_for(head_office).total.ropo_carts == 0


def test_ordered_cart_followed_by_a_store_purchase_is_not_ropo(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10), CartStatus.ORDERED)
    sale(shopper, store_milano, at(DAY + timedelta(days=1)))

    build_period()

    assert report_for(head_office).total.ropo_carts == 0


def test_window_day_14_is_counted_day_15_is_not(store_milano, head_office):
    on_day_14, on_day_15 = customer_near(store_milano, 2.0), customer_near(store_milano, 2.0)
    cart(on_day_14, at(DAY, 10))
    sale(on_day_14, store_milano, at(DAY + timedelta(days=14), 23, 59))
    cart(on_day_15, at(DAY, 10))
    sale(on_day_15, store_milano, at(DAY + timedelta(days=15), 0, 1))

    build_period()

    assert report_for(head_office, window=14).total.ropo_carts == 1
    assert report_for(head_office, window=14).total.ropo_revenue == Decimal("50.00")
    assert report_for(head_office, window=15).total.ropo_carts == 2
    assert report_for(head_office, window=13).total.ropo_carts == 0


def test_a_purchase_is_counted_once_for_the_latest_abandoned_cart(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10))
    cart(shopper, at(DAY + timedelta(days=2), 10))
    sale(shopper, store_milano, at(DAY + timedelta(days=3)))

    build_period()

    total = report_for(head_office).total
    assert total.ropo_carts == 2  # both carts were followed by the purchase
    assert total.ropo_revenue == Decimal("50.00")  # but the purchase is worth 50 once
    assert RopoDayFact.objects.get(day=DAY + timedelta(days=2)).revenue == Decimal("50.00")


def test_influenced_revenue_needs_an_online_touch_of_the_sku_within_the_window(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    viewed(shopper, "SKU-A", at(DAY - timedelta(days=3)))
    viewed(shopper, "SKU-C", at(DAY - timedelta(days=20)), kind=EventType.WISHLIST_ADD)
    viewed(shopper, "SKU-B", at(DAY, 18))  # after the sale
    sale(
        shopper,
        store_milano,
        at(DAY, 12),
        lines=[("SKU-A", 1, "40.00"), ("SKU-B", 1, "30.00"), ("SKU-C", 1, "20.00"), ("SKU-D", 1, "10.00")],
    )

    build()

    total = report_for(head_office, date_to=DAY).total
    assert total.sales_revenue == Decimal("100.00")
    assert total.influenced_revenue == Decimal("40.00")
    assert report_for(head_office, date_to=DAY, window=20).total.influenced_revenue == Decimal("60.00")
    assert InfluenceDayFact.objects.filter(day=DAY).count() == 2


def test_a_cart_snapshot_is_an_online_touch(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY - timedelta(days=1)), CartStatus.ACTIVE, skus=("SKU-A",))
    sale(shopper, store_milano, at(DAY))

    build()

    assert report_for(head_office, date_to=DAY).total.influenced_revenue == Decimal("50.00")


def test_online_orders_credited_come_from_web_and_app_credits(store_milano, head_office):
    credit(store_milano, at(DAY, 10), "5.00")
    credit(store_milano, at(DAY, 11), "2.50", channel="app")
    credit(store_milano, at(DAY, 12), "9.00", channel="endless_aisle")
    credit(store_milano, at(DAY, 13), "-1.00", kind=EntryKind.REVERSAL)

    build()

    fact = StoreDayFact.objects.get(day=DAY, store=store_milano)
    assert (fact.credited_orders, fact.credited_amount) == (2, Decimal("7.50"))


def test_rebuilding_a_day_twice_leaves_the_same_facts(store_milano, head_office):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10))
    sale(shopper, store_milano, at(DAY, 15))
    credit(store_milano, at(DAY, 10))

    build()
    first = report_for(head_office, date_to=DAY)
    build()
    second = report_for(head_office, date_to=DAY)

    assert CartDayFact.objects.count() == 1
    assert RopoDayFact.objects.count() == 1
    assert StoreDayFact.objects.count() == 1
    assert first.total == second.total


def test_a_day_that_has_not_started_cannot_be_built():
    with pytest.raises(InsightDayInFuture):
        insight_day_rebuild(day=DAY + timedelta(days=1), as_of=at(DAY))


def test_default_window_sums_match_the_lag_rows(store_milano, store_roma, head_office, settings):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10), skus=("SKU-A", "SKU-B"))
    sale(shopper, store_milano, at(DAY + timedelta(days=3)), lines=[("SKU-A", 2, "50.00")])
    sale(shopper, store_roma, at(DAY + timedelta(days=20)), lines=[("SKU-B", 1, "70.00")])
    viewed(shopper, "SKU-C", at(DAY - timedelta(days=2)))
    sale(shopper, store_roma, at(DAY), lines=[("SKU-C", 1, "30.00")])
    build_period(date_from=DAY - timedelta(days=1))

    from_columns = report_for(head_office, window=settings.ROPO_WINDOW_DAYS, date_from=DAY - timedelta(days=1))
    settings.ROPO_WINDOW_DAYS += 1  # the days were built with another default: the report reads the lag rows
    from_lag_rows = report_for(head_office, window=settings.ROPO_WINDOW_DAYS - 1, date_from=DAY - timedelta(days=1))

    assert from_columns.total == from_lag_rows.total
    assert (from_columns.total.ropo_carts, from_columns.total.ropo_revenue) == (1, Decimal("100.00"))
    assert from_columns.total.influenced_revenue == Decimal("130.00")  # SKU-C viewed, SKU-A in the cart
    assert [row.ropo_carts for row in from_columns.bands] == [row.ropo_carts for row in from_lag_rows.bands]
    assert [row.influenced_revenue for row in from_columns.stores] == [
        row.influenced_revenue for row in from_lag_rows.stores
    ]
