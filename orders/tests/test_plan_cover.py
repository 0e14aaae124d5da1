"""The cover behind the fulfilment plan: fewest locations, then least distance, against a brute force."""

from __future__ import annotations

import itertools
import math

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.factories import ProductFactory
from inventory.models import StockLevel
from omniportal.factories import LocationFactory
from omniportal.geo import haversine_km
from omniportal.models import Location, LocationKind
from orders import selectors
from orders.selectors import PlanRequest, SourceOption, _cheapest_cover, fulfilment_plan

MILANO_HOME = (45.466, 9.186)
NOW = timezone.now()


def brute_force(serves: dict[int, set[int]], distance: dict[int, float], lines: set[int]) -> tuple[int, float]:
    """The definition, computed independently: min over every covering set of (size, total distance)."""
    found = []
    for size in range(1, len(serves) + 1):
        for chosen in itertools.combinations(serves, size):
            if set().union(*(serves[pk] for pk in chosen)) >= lines:
                found.append((size, sum(distance[pk] for pk in chosen)))
    return min(found)


def _options(serves: dict[int, set[int]], distance: dict[int, float], lines: set[int]) -> dict[int, list]:
    locations = {pk: Location(pk=pk, code=f"L{pk:02d}", lat=0, lon=0) for pk in serves}
    return {
        line: sorted(
            (SourceOption(locations[pk], 5, distance[pk]) for pk in serves if line in serves[pk]),
            key=lambda o: (o.distance_km, o.location.code),
        )
        for line in lines
    }


@st.composite
def instances(draw):
    """Up to 5 lines and 8 locations; every line served somewhere; few distinct distances, so ties happen."""
    line_count = draw(st.integers(min_value=1, max_value=5))
    location_count = draw(st.integers(min_value=1, max_value=8))
    lines = set(range(line_count))
    serves = {
        pk: draw(st.sets(st.sampled_from(sorted(lines)), max_size=line_count)) for pk in range(1, location_count + 1)
    }
    for line in lines - set().union(*serves.values()):
        serves[draw(st.sampled_from(sorted(serves)))].add(line)
    distance = {pk: float(draw(st.integers(min_value=0, max_value=6))) for pk in serves}
    return serves, distance, lines


@settings(max_examples=200, deadline=None)
@given(instance=instances())
def test_the_cover_is_as_small_and_as_near_as_the_brute_force_minimum(instance):
    serves, distance, lines = instance
    chosen = _cheapest_cover(_options(serves, distance, lines))
    assert set().union(*(serves[pk] for pk in chosen)) >= lines
    assert (len(chosen), sum(distance[pk] for pk in chosen)) == brute_force(serves, distance, lines)


@settings(max_examples=100, deadline=None)
@given(instance=instances())
def test_the_same_basket_always_gets_the_same_cover(instance):
    serves, distance, lines = instance
    assert _cheapest_cover(_options(serves, distance, lines)) == _cheapest_cover(_options(serves, distance, lines))


def test_out_of_search_budget_the_greedy_cover_still_serves_every_line(monkeypatch):
    monkeypatch.setattr(selectors, "PLAN_SEARCH_NODES", 0)
    serves = {1: {0, 1, 2}, 2: {2, 3}, 3: {3, 4}, 4: {0, 4}, 5: {1}}
    distance = dict.fromkeys(serves, 1.0)
    chosen = _cheapest_cover(_options(serves, distance, {0, 1, 2, 3, 4}))
    assert set().union(*(serves[pk] for pk in chosen)) == {0, 1, 2, 3, 4}
    assert chosen == {1, 3}  # most lines first: {0, 1, 2}, then {3, 4}


def test_among_covers_of_one_location_the_nearest_is_chosen():
    serves = {1: {0, 1}, 2: {0, 1}, 3: {0}, 4: {1}}
    distance = {1: 9.0, 2: 4.0, 3: 0.5, 4: 0.5}
    assert _cheapest_cover(_options(serves, distance, {0, 1})) == {2}


# --- the same property through the selector, on stored stock -------------------------------------------------

coordinates = st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40)).map(
    lambda p: (44.0 + p[0] / 10, 8.0 + p[1] / 10)
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(instance=instances(), places=st.lists(coordinates, min_size=8, max_size=8))
def test_the_plan_ships_from_as_few_and_as_near_locations_as_the_brute_force(instance, places):
    serves, _, lines = instance
    with transaction.atomic():
        products = [ProductFactory() for _ in sorted(lines)]
        locations = {
            pk: Location.objects.create(
                code=f"P{pk:02d}", name=f"P{pk}", kind=LocationKind.STORE, country="IT", lat=lat, lon=lon
            )
            for pk, (lat, lon) in zip(sorted(serves), places, strict=False)
        }
        StockLevel.objects.bulk_create(
            StockLevel(location=locations[pk], product=products[line], on_hand=3, as_of=NOW)
            for pk, served in serves.items()
            for line in served
        )
        plan = fulfilment_plan(
            requests=[PlanRequest(line, products[line].pk, products[line].sku, 1) for line in sorted(lines)],
            origin=MILANO_HOME,
        )
        transaction.set_rollback(True)
    by_pk = {location.pk: key for key, location in locations.items()}
    distance = {key: haversine_km(*MILANO_HOME, loc.lat, loc.lon) for key, loc in locations.items()}
    count, total = brute_force(serves, distance, lines)
    assert all(line.request.key in serves[by_pk[line.location.pk]] for line in plan.lines)
    assert len(plan.locations) == count
    assert math.isclose(plan.total_distance_km, total, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.django_db
def test_a_basket_of_30_lines_with_no_location_in_common_ships_each_from_its_nearest():
    products = ProductFactory.create_batch(30)
    locations = Location.objects.bulk_create(
        Location(
            code=f"D{line:02d}-{rank:02d}",
            name=f"D{line}-{rank}",
            kind=LocationKind.STORE,
            country="IT",
            lat=45.0 + rank / 10,
            lon=9.0 + line / 100,
        )
        for line in range(30)
        for rank in range(12)
    )
    StockLevel.objects.bulk_create(
        StockLevel(location=location, product=products[index // 12], on_hand=4, as_of=NOW)
        for index, location in enumerate(locations)
    )
    plan = fulfilment_plan(
        requests=[PlanRequest(i, product.pk, product.sku, 2) for i, product in enumerate(products)],
        origin=(45.0, 9.0),
    )
    assert len(plan.locations) == 30
    assert [line.location.code for line in plan.lines] == [f"D{line:02d}-00" for line in range(30)]


@pytest.mark.django_db
def test_a_basket_of_30_lines_ships_from_the_one_warehouse_holding_them_all(warehouse_bologna):
    products = ProductFactory.create_batch(30)
    near = [LocationFactory(code=f"NR{i:02d}", lat=45.466, lon=9.186 + i / 1000) for i in range(15)]
    StockLevel.objects.bulk_create(
        [StockLevel(location=warehouse_bologna, product=product, on_hand=5, as_of=NOW) for product in products]
        + [
            StockLevel(location=near[i // 2], product=product, on_hand=5, as_of=NOW)
            for i, product in enumerate(products)
        ]
    )
    plan = fulfilment_plan(
        requests=[PlanRequest(i, product.pk, product.sku, 1) for i, product in enumerate(products)],
        origin=MILANO_HOME,
    )
    assert [location.code for location in plan.locations] == ["WH-BO"]
