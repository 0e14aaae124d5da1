"""The delivery estimate rule (orders.estimates): handling by kind of location, transit by distance, working days."""

from __future__ import annotations

import datetime as dt

import pytest

from omniportal.models import LocationKind
from orders.estimates import (
    DeliveryEstimate,
    add_working_days,
    order_estimate,
    parcel_estimate,
    transit_days,
)

MONDAY = dt.date(2026, 11, 23)
FRIDAY = dt.date(2026, 11, 27)
SATURDAY = dt.date(2026, 11, 28)


def test_working_days_skip_the_weekend():
    assert add_working_days(FRIDAY, 1) == dt.date(2026, 11, 30)  # Monday
    assert add_working_days(MONDAY, 5) == dt.date(2026, 11, 30)
    assert add_working_days(SATURDAY, 0) == SATURDAY


@pytest.mark.parametrize(
    ("distance_km", "days"),
    [
        (0.0, (1, 1)),
        (100.0, (1, 1)),
        (100.1, (1, 2)),
        (400.0, (1, 2)),
        (999.0, (2, 3)),
        (1500.0, (3, 5)),
        (None, (1, 5)),
    ],
)
def test_transit_grows_with_distance_and_is_widest_for_an_unplaced_address(distance_km, days):
    assert transit_days(distance_km) == days


def test_a_warehouse_parcel_leaves_the_next_working_day():
    estimate = parcel_estimate(location_kind=LocationKind.WAREHOUSE, distance_km=50, placed_on=MONDAY, today=MONDAY)
    assert estimate == DeliveryEstimate(dt.date(2026, 11, 25), dt.date(2026, 11, 25))  # leaves Tue, arrives Wed
    assert estimate.is_one_day


def test_a_store_parcel_takes_a_day_longer_to_leave_than_a_warehouse_parcel():
    store = parcel_estimate(location_kind=LocationKind.STORE, distance_km=50, placed_on=MONDAY, today=MONDAY)
    assert store == DeliveryEstimate(dt.date(2026, 11, 26), dt.date(2026, 11, 26))


def test_a_far_parcel_arrives_within_a_range_of_days_across_a_weekend():
    estimate = parcel_estimate(location_kind=LocationKind.STORE, distance_km=480, placed_on=FRIDAY, today=FRIDAY)
    # Leaves Tuesday 1 December (two working days after Friday), 2–3 days of transit.
    assert estimate == DeliveryEstimate(dt.date(2026, 12, 3), dt.date(2026, 12, 4))
    assert not estimate.is_one_day


def test_a_parcel_that_has_left_counts_from_the_day_it_left():
    shipped_on = dt.date(2026, 12, 2)
    estimate = parcel_estimate(
        location_kind=LocationKind.STORE, distance_km=50, placed_on=MONDAY, today=shipped_on, shipped_on=shipped_on
    )
    assert estimate == DeliveryEstimate(dt.date(2026, 12, 3), dt.date(2026, 12, 3))


def test_a_late_parcel_leaves_today_at_the_earliest():
    today = dt.date(2026, 12, 9)  # a Wednesday, long after the Monday it should have left
    estimate = parcel_estimate(location_kind=LocationKind.WAREHOUSE, distance_km=50, placed_on=MONDAY, today=today)
    assert estimate == DeliveryEstimate(dt.date(2026, 12, 10), dt.date(2026, 12, 10))


def test_a_late_parcel_at_the_weekend_leaves_on_monday_at_the_earliest():
    estimate = parcel_estimate(location_kind=LocationKind.WAREHOUSE, distance_km=50, placed_on=MONDAY, today=SATURDAY)
    assert estimate.earliest == dt.date(2026, 12, 1)  # leaves Monday 30, arrives Tuesday


def test_what_the_pickup_store_holds_is_ready_the_same_or_the_next_working_day():
    estimate = parcel_estimate(
        location_kind=LocationKind.STORE, distance_km=0, placed_on=FRIDAY, today=FRIDAY, at_pickup_store=True
    )
    assert estimate == DeliveryEstimate(FRIDAY, dt.date(2026, 11, 30))


def test_an_order_arrives_with_its_last_parcel():
    near = DeliveryEstimate(dt.date(2026, 11, 25), dt.date(2026, 11, 25))
    far = DeliveryEstimate(dt.date(2026, 11, 24), dt.date(2026, 11, 27))
    assert order_estimate([near, far]) == DeliveryEstimate(dt.date(2026, 11, 25), dt.date(2026, 11, 27))
    assert order_estimate([]) is None
