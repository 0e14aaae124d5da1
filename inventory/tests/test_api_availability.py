from __future__ import annotations

import pytest
from django.utils import timezone

from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import StockLevel
from omniportal.factories import LocationFactory, WarehouseFactory
from omniportal.geo import haversine_km
from omniportal.models import Location

URL = "/api/v1/availability/"


@pytest.fixture
def jacket_across_italy(store_milano, store_roma, warehouse_bologna):
    jacket = ProductFactory(sku="JKT-001-M")
    StockLevelFactory(product=jacket, location=store_milano, on_hand=5, reserved=1, safety_stock=1)
    StockLevelFactory(product=jacket, location=store_roma, on_hand=2)
    StockLevelFactory(product=jacket, location=warehouse_bologna, on_hand=100)
    closed = LocationFactory(code="TO01", lat=45.07, lon=7.69, active=False)
    StockLevelFactory(product=jacket, location=closed, on_hand=9)
    return jacket


@pytest.mark.django_db
def test_availability_lists_locations_nearest_first_with_atp(api_client, jacket_across_italy):
    # A shopper in Firenze: Bologna (~80 km), then Roma (~230 km), then Milano (~250 km).
    body = api_client.get(URL, {"sku": "JKT-001-M", "lat": 43.7696, "lon": 11.2558}).json()

    assert body["sku"] == "JKT-001-M"
    assert [(r["location"], r["atp"]) for r in body["results"]] == [("WH-BO", 100), ("RM01", 2), ("MI01", 3)]
    assert 75 < body["results"][0]["distance_km"] < 85
    assert set(body["results"][0]) == {
        "location",
        "name",
        "kind",
        "distance_km",
        "atp",
        "ships_to_home",
        "offers_pickup",
    }


@pytest.mark.django_db
def test_limit_keeps_the_nearest(api_client, jacket_across_italy):
    body = api_client.get(URL, {"sku": "JKT-001-M", "lat": 45.46, "lon": 9.19, "limit": 1}).json()

    assert [r["location"] for r in body["results"]] == ["MI01"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 45}, "lon"),
        ({"lat": "nan", "lon": 9}, "lat"),
        ({"lat": 45, "lon": 200}, "lon"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_query_parameters_are_400_naming_them(api_client, jacket_across_italy, params, field):
    response = api_client.get(URL, {"sku": "JKT-001-M", **params})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.django_db
def test_an_unknown_sku_is_404(api_client):
    assert api_client.get(URL, {"sku": "NOPE"}).status_code == 404


@pytest.mark.django_db
def test_availability_takes_few_queries(api_client, jacket_across_italy, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # token, product, rows (+ last_used_at touch)
        api_client.get(URL, {"sku": "JKT-001-M", "lat": 45, "lon": 9})


@pytest.mark.django_db
def test_stores_are_sorted_by_distance_without_warehouses(api_client, store_milano, store_roma, warehouse_bologna):
    LocationFactory(code="NA01", lat=40.85, lon=14.27)

    body = api_client.get("/api/v1/stores/", {"lat": 41.0, "lon": 14.0}).json()

    assert [s["code"] for s in body["results"]] == ["NA01", "RM01", "MI01"]
    assert body["count"] == 3
    assert body["results"][0]["address"]["country"] == "IT"
    assert body["results"][0]["distance_km"] < 30


@pytest.mark.django_db
def test_stores_without_a_point_are_in_code_order(api_client, store_milano, store_roma):
    body = api_client.get("/api/v1/stores/").json()

    assert [(s["code"], s["distance_km"]) for s in body["results"]] == [("MI01", None), ("RM01", None)]


def test_warehouse_factory_is_not_a_store():
    assert WarehouseFactory.kind == "warehouse"


@pytest.mark.django_db
def test_availability_without_a_point_is_in_code_order_with_null_distances(api_client, jacket_across_italy):
    response = api_client.get(URL, {"sku": "JKT-001-M"})

    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "sku": "JKT-001-M",
        "results": [
            {
                "location": "MI01",
                "name": "Milano Duomo",
                "kind": "store",
                "distance_km": None,
                "atp": 3,
                "ships_to_home": True,
                "offers_pickup": True,
            },
            {
                "location": "RM01",
                "name": "Roma Corso",
                "kind": "store",
                "distance_km": None,
                "atp": 2,
                "ships_to_home": True,
                "offers_pickup": True,
            },
            {
                "location": "WH-BO",
                "name": "Bologna DC",
                "kind": "warehouse",
                "distance_km": None,
                "atp": 100,
                "ships_to_home": True,
                "offers_pickup": False,
            },
        ],
    }


@pytest.mark.django_db
def test_distances_are_the_haversine_of_omniportal_geo_rounded_to_metres(api_client, jacket_across_italy):
    body = api_client.get(URL, {"sku": "JKT-001-M", "lat": 43.7696, "lon": 11.2558}).json()

    expected = {
        location.code: round(haversine_km(43.7696, 11.2558, location.lat, location.lon), 3)
        for location in Location.objects.filter(code__in=["MI01", "RM01", "WH-BO"])
    }
    assert {row["location"]: row["distance_km"] for row in body["results"]} == expected


@pytest.mark.django_db
def test_availability_of_500_locations_takes_the_same_few_queries(api_client, django_assert_max_num_queries):
    product = ProductFactory(sku="TEE-1")
    locations = Location.objects.bulk_create(
        Location(code=f"L{n:03d}", name=f"Sede {n}", kind="store", country="IT", lat=36 + n / 50, lon=9.19)
        for n in range(500)
    )
    StockLevel.objects.bulk_create(
        StockLevel(location=location, product=product, on_hand=n % 4, as_of=timezone.now())
        for n, location in enumerate(locations)
    )

    with django_assert_max_num_queries(4):  # token, product, rows (+ last_used_at touch)
        body = api_client.get(URL, {"sku": "TEE-1", "lat": 36, "lon": 9.19, "limit": 500}).json()

    assert [row["location"] for row in body["results"]] == [f"L{n:03d}" for n in range(500)]
    assert sum(row["atp"] for row in body["results"]) == sum(n % 4 for n in range(500))
