from __future__ import annotations

import pytest

from inventory.factories import ProductFactory, StockLevelFactory
from inventory.models import MovementKind, StockLevel, StockMovement

URL = "/api/v1/stock/"


def level(**overrides):
    return {"location": "MI01", "sku": "JKT-001-M", "on_hand": 7, "as_of": "2026-11-23T08:00:00+01:00", **overrides}


@pytest.fixture
def jacket(db):
    return ProductFactory(sku="JKT-001-M")


@pytest.mark.django_db
def test_a_snapshot_creates_the_row_and_a_feed_movement(api_client, store_milano, jacket):
    response = api_client.post(URL, {"levels": [level(safety_stock=1)]}, format="json")

    assert response.json() == {"created": 1, "updated": 0, "ignored": 0}
    row = StockLevel.objects.get(location=store_milano, product=jacket)
    assert (row.on_hand, row.safety_stock, row.atp) == (7, 1, 6)
    assert list(StockMovement.objects.values_list("kind", "on_hand_delta")) == [(MovementKind.FEED, 7)]


@pytest.mark.django_db
def test_a_newer_snapshot_moves_on_hand_by_the_difference(api_client, store_milano, jacket):
    api_client.post(URL, {"levels": [level()]}, format="json")

    response = api_client.post(URL, {"levels": [level(on_hand=4, as_of="2026-11-23T09:00:00+01:00")]}, format="json")

    assert response.json() == {"created": 0, "updated": 1, "ignored": 0}
    assert StockLevel.objects.get().on_hand == 4
    assert sorted(StockMovement.objects.values_list("on_hand_delta", flat=True)) == [-3, 7]


@pytest.mark.django_db
def test_a_snapshot_older_than_the_row_is_ignored(api_client, store_milano, jacket):
    api_client.post(URL, {"levels": [level(as_of="2026-11-23T09:00:00+01:00")]}, format="json")

    response = api_client.post(URL, {"levels": [level(on_hand=1, as_of="2026-11-23T07:59:59+01:00")]}, format="json")

    assert response.json() == {"created": 0, "updated": 0, "ignored": 1}
    assert StockLevel.objects.get().on_hand == 7


@pytest.mark.django_db
def test_an_unknown_location_or_sku_is_a_400_naming_the_item(api_client, store_milano, jacket):
    response = api_client.post(URL, {"levels": [level(), level(location="XX"), level(sku="NOPE")]}, format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "location"), (2, "sku")]
    assert not StockLevel.objects.exists()


@pytest.mark.django_db
def test_on_hand_below_the_reserved_units_is_refused(api_client, store_milano, jacket):
    StockLevelFactory(location=store_milano, product=jacket, on_hand=5, reserved=3, as_of="2026-11-22T00:00:00Z")

    response = api_client.post(URL, {"levels": [level(on_hand=2)]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "on_hand"
    assert StockLevel.objects.get().on_hand == 5


@pytest.mark.django_db
def test_negative_on_hand_and_offsetless_timestamps_are_400(api_client, store_milano, jacket):
    response = api_client.post(URL, {"levels": [level(on_hand=-1), level(as_of="2026-11-23T08:00:00")]}, format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "on_hand"), (1, "as_of")]
