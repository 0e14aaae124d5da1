"""availability_for_sku: the database sorts by great-circle distance, cuts and totals; it must agree with the
one Python definition of distance (omniportal.geo) and count every location whatever it shows."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from inventory.factories import ProductFactory
from inventory.models import StockLevel
from inventory.selectors import availability_for_sku
from omniportal.factories import LocationFactory
from omniportal.geo import haversine_km
from omniportal.models import LocationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def scattered():
    rng = random.Random(7)
    origin = LocationFactory(code="ORIG", kind=LocationKind.STORE, lat=45.46, lon=9.19)
    product = ProductFactory(sku="SCAT-1")
    locations = [origin] + [
        LocationFactory(code=f"S{n:03d}", lat=rng.uniform(36, 47), lon=rng.uniform(6, 18)) for n in range(60)
    ]
    LocationFactory(code="GONE", lat=45.46, lon=9.19, active=False)  # inactive: never listed nor counted
    now = timezone.now()
    StockLevel.objects.bulk_create(
        StockLevel(location=location, product=product, on_hand=n % 4, reserved=min(1, n % 4), as_of=now)
        for n, location in enumerate(locations)
    )
    return origin, product, locations


def test_origin_first_then_exactly_the_python_great_circle_order(scattered):
    origin, product, locations = scattered
    table = availability_for_sku(product=product, origin=origin)

    expected = sorted(locations[1:], key=lambda loc: (haversine_km(origin.lat, origin.lon, loc.lat, loc.lon), loc.code))
    assert [row.location.code for row in table.rows] == ["ORIG", *(loc.code for loc in expected)]
    assert table.rows[0].is_here and not any(row.is_here for row in table.rows[1:])
    for row, loc in zip(table.rows[1:], expected, strict=True):
        assert row.distance_km == pytest.approx(haversine_km(origin.lat, origin.lon, loc.lat, loc.lon), abs=1e-6)


def test_a_limit_cuts_the_rows_but_the_totals_count_every_location(scattered):
    origin, product, locations = scattered
    everything = availability_for_sku(product=product, origin=origin)
    nearest = availability_for_sku(product=product, origin=origin, limit=10)

    assert nearest.rows == everything.rows[:10]
    atps = [max(0, n % 4 - min(1, n % 4)) for n in range(len(locations))]
    for table in (everything, nearest):
        assert table.location_count == len(locations)
        assert table.stocked_count == sum(1 for atp in atps if atp)
        assert table.network_atp == sum(atps)


def test_without_an_origin_rows_are_in_code_order_with_no_distance(scattered):
    _origin, product, locations = scattered
    table = availability_for_sku(product=product, origin=None, limit=5)
    assert [row.location.code for row in table.rows] == sorted(loc.code for loc in locations)[:5]
    assert all(row.distance_km is None and not row.is_here for row in table.rows)


def test_a_product_nowhere_has_no_rows_and_zero_totals(scattered):
    origin, _product, _locations = scattered
    table = availability_for_sku(product=ProductFactory(sku="NONE-1"), origin=origin)
    assert (table.rows, table.location_count, table.stocked_count, table.network_atp) == ([], 0, 0, 0)
