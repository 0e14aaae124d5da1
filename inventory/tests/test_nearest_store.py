from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.nearest import InvalidPoint, StoreIndex, make_entry, nearest_store, store_index
from omniportal.factories import LocationFactory, WarehouseFactory
from omniportal.geo import haversine_km
from omniportal.models import Location, LocationKind


def brute_force(stores, lat, lon):
    """The definition, computed independently: min over stores of (distance, code)."""
    if not stores:
        return None
    return min((haversine_km(lat, lon, s.lat, s.lon), s.code) for s in stores)


def index_of(points):
    stores = [
        Location(code=f"S{i:04d}", name="", kind=LocationKind.STORE, country="IT", lat=la, lon=lo)
        for i, (la, lo) in enumerate(points)
    ]
    entries = tuple(make_entry(s) for s in sorted(stores, key=lambda s: s.code))
    return stores, StoreIndex(entries=entries)


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
world_points = st.tuples(latitudes, longitudes)
# Most stores and deliveries are close together; draw them in a small box too so the pruning is exercised.
box_points = st.tuples(st.floats(min_value=44.0, max_value=46.0), st.floats(min_value=8.5, max_value=10.5))
# Points exactly on cell edges, the poles and the antimeridian.
edge_points = st.tuples(
    st.sampled_from([-90.0, -45.3, 0.0, 0.1, 44.9, 45.0, 45.1, 89.9, 90.0]),
    st.sampled_from([-180.0, -179.95, -0.1, 0.0, 9.0, 9.1, 179.9, 180.0]),
)
any_point = st.one_of(world_points, box_points, edge_points)


@settings(max_examples=300, deadline=None)
@given(stores=st.lists(any_point, min_size=1, max_size=60), queries=st.lists(any_point, min_size=1, max_size=20))
def test_index_matches_brute_force_on_random_points(stores, queries):
    store_rows, index = index_of(stores)
    for lat, lon in queries:
        entry, km = index.nearest_entry(lat, lon)
        assert (km, entry[2]) == brute_force(store_rows, lat, lon)


@settings(max_examples=100, deadline=None)
@given(point=box_points, copies=st.integers(min_value=2, max_value=5), query=box_points)
def test_stores_at_the_same_distance_go_to_the_lowest_code(point, copies, query):
    store_rows, index = index_of([point] * copies)
    entry, _ = index.nearest_entry(*query)
    assert entry[2] == "S0000"


def test_empty_index_has_no_nearest_store():
    assert StoreIndex(entries=()).nearest(45.0, 9.0) is None


@pytest.mark.parametrize("lat,lon", [(91, 0), (0, 181), (math.nan, 0), (0, math.inf), ("north", 0), (None, 1)])
def test_a_point_off_the_earth_is_refused(lat, lon):
    with pytest.raises(InvalidPoint):
        StoreIndex(entries=()).nearest(lat, lon)


@pytest.mark.django_db
def test_nearest_store_matches_brute_force_over_the_database_stores():
    rng = random.Random(20261123)
    Location.objects.bulk_create(
        Location(
            code=f"ST{i:03d}",
            name=f"Store {i}",
            kind=LocationKind.STORE,
            country="IT",
            lat=rng.uniform(36.5, 47.0),
            lon=rng.uniform(6.6, 18.5),
            active=i % 17 != 0,
            commission_eligible=i % 11 != 0,
        )
        for i in range(300)
    )
    WarehouseFactory(code="WH-NEAR", lat=45.0, lon=9.0)
    eligible = list(Location.objects.filter(kind="store", active=True, commission_eligible=True))
    active = list(Location.objects.filter(kind="store", active=True))
    for _ in range(400):
        lat, lon = rng.uniform(35.0, 48.0), rng.uniform(5.0, 20.0)
        store, km = nearest_store(lat, lon)
        assert (km, store.code) == brute_force(eligible, lat, lon)
        any_store, any_km = nearest_store(lat, lon, commission_eligible=False)
        assert (any_km, any_store.code) == brute_force(active, lat, lon)


def test_milano_delivery_goes_to_milano(store_milano, store_roma, warehouse_bologna):
    store, km = nearest_store(45.4700, 9.2000)
    assert store.code == "MI01"
    assert km == pytest.approx(haversine_km(45.47, 9.2, 45.4642, 9.19))


def test_inactive_and_ineligible_stores_are_skipped(store_milano, store_roma):
    store_milano.commission_eligible = False
    store_milano.save()
    assert nearest_store(45.47, 9.2)[0].code == "RM01"
    assert nearest_store(45.47, 9.2, commission_eligible=False)[0].code == "MI01"
    store_milano.active = False
    store_milano.save()
    assert nearest_store(45.47, 9.2, commission_eligible=False)[0].code == "RM01"


@pytest.mark.django_db
def test_no_store_means_no_nearest_store():
    WarehouseFactory()
    assert nearest_store(45.0, 9.0) is None


def test_a_store_opened_nearby_is_seen_at_once(store_roma):
    assert nearest_store(45.47, 9.2)[0].code == "RM01"
    LocationFactory(code="MI02", lat=45.47, lon=9.2)
    assert nearest_store(45.47, 9.2) == (Location.objects.get(code="MI02"), 0.0)


def test_a_bulk_update_is_seen_by_the_version_check(store_milano, store_roma):
    assert nearest_store(45.47, 9.2)[0].code == "MI01"
    Location.objects.filter(code="MI01").update(active=False)  # no signal, no updated_at
    assert nearest_store(45.47, 9.2)[0].code == "RM01"


def test_callers_get_their_own_copy_of_the_store(store_milano):
    first, _ = nearest_store(45.47, 9.2)
    first.name = "changed by a caller"
    second, _ = nearest_store(45.47, 9.2)
    assert second.name == "Milano Duomo"
    assert second.pk == store_milano.pk and second._state.adding is False


def test_store_index_is_reused_between_calls(store_milano):
    assert store_index() is store_index()
