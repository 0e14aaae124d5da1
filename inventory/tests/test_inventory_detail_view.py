"""The network availability page at SPEC scale: this store and the nearest first, every location on request."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from inventory.factories import ProductFactory
from inventory.models import StockLevel
from inventory.selectors import Availability, LocationSummary
from inventory.views import NEAREST_SHOWN
from omniportal.models import Location, LocationKind

pytestmark = pytest.mark.django_db

LOCATIONS = 500  # SPEC section 5: one stock row per location for a SKU held everywhere


@pytest.fixture
def held_everywhere(store_milano):
    """A SKU with 2 units at Milano and at 499 other locations, each a little further south (≈ 1.1 km apart)."""
    product = ProductFactory(sku="TEE-1", name="T-shirt")
    others = Location.objects.bulk_create(
        Location(
            code=f"L{n:03d}",
            name=f"Sede {n:03d}",
            kind=LocationKind.WAREHOUSE if n % 50 == 0 else LocationKind.STORE,
            city="Città",
            country="IT",
            lat=45.4642 - (n + 1) / 100,
            lon=9.19,
            offers_pickup=n % 2 == 0,
        )
        for n in range(LOCATIONS - 1)
    )
    now = timezone.now()
    StockLevel.objects.bulk_create(
        StockLevel(location=location, product=product, on_hand=2 if n % 3 else 0, as_of=now)
        for n, location in enumerate([store_milano, *others])
    )
    return product


def _detail(client, sku: str, **params: str):
    return client.get(reverse("inventory-detail", args=[sku]), params)


def test_detail_shows_this_store_then_the_nearest_and_counts_every_location(client, associate_milano, held_everywhere):
    client.force_login(associate_milano)
    response = _detail(client, "TEE-1")

    shown = response.context["table_rows"]
    assert len(shown) == NEAREST_SHOWN
    assert (shown[0]["code"], shown[0]["is_here"], shown[0]["distance"]) == ("MI01", True, "—")
    assert [(row["code"], row["distance"]) for row in shown[1:4]] == [
        ("L000", "1 km"),
        ("L001", "2 km"),
        ("L002", "3 km"),
    ]
    assert response.context["location_count"] == LOCATIONS
    expected_total = sum(2 for n in range(LOCATIONS) if n % 3)
    assert response.context["network_atp"] == expected_total
    assert response.context["stocked_count"] == expected_total // 2
    body = response.content.decode()
    assert body.count("<tr") == 1 + NEAREST_SHOWN  # header + rows
    assert f"Show more locations ({LOCATIONS - NEAREST_SHOWN} left)" in body
    assert f"{expected_total} units available in the network" in body


def test_show_all_link_works_without_javascript(client, associate_milano, held_everywhere):
    client.force_login(associate_milano)
    link = reverse("inventory-detail", args=["TEE-1"]) + "?all=1"
    assert f'href="{link}"' in _detail(client, "TEE-1").content.decode()

    response = client.get(link)

    assert len(response.context["table_rows"]) == LOCATIONS
    body = response.content.decode()
    assert body.count("<tr") == 1 + LOCATIONS
    assert 'data-testid="show-all-locations"' not in body
    assert "<html" in body


def test_htmx_show_all_returns_only_the_availability_partial(client, associate_milano, held_everywhere):
    client.force_login(associate_milano)
    response = client.get(reverse("inventory-detail", args=["TEE-1"]), {"all": "1"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="availability"')
    assert "<html" not in body
    assert body.count("<tr") == 1 + LOCATIONS


def test_page_query_count_is_the_same_for_the_nearest_and_for_all_500(
    client, associate_milano, held_everywhere, django_assert_max_num_queries
):
    client.force_login(associate_milano)
    _detail(client, "TEE-1")  # session and user warm
    with django_assert_max_num_queries(5):
        nearest = _detail(client, "TEE-1")
    with django_assert_max_num_queries(5):
        everything = _detail(client, "TEE-1", all="1")
    assert len(nearest.context["table_rows"]) == NEAREST_SHOWN
    assert len(everything.context["table_rows"]) == LOCATIONS
    assert nearest.context["location_count"] == everything.context["location_count"] == LOCATIONS


def test_a_few_locations_need_no_show_all_link(client, associate_milano, store_milano):
    product = ProductFactory(sku="RARE-1")
    StockLevel.objects.create(location=store_milano, product=product, on_hand=1, as_of=timezone.now())
    client.force_login(associate_milano)

    body = _detail(client, "RARE-1").content.decode()

    assert 'data-testid="show-all-locations"' not in body
    assert 'data-testid="this-store"' in body


def test_show_all_is_in_italian(client, associate_milano, held_everywhere):
    client.force_login(associate_milano)

    body = client.get("/it/inventory/TEE-1/").content.decode()

    assert f"Mostra altre sedi (ne restano {LOCATIONS - NEAREST_SHOWN})" in body
    assert f"Le {NEAREST_SHOWN} sedi più vicine su {LOCATIONS}." in body


def test_show_more_appends_the_next_locations_as_a_small_swap(client, associate_milano, held_everywhere):
    client.force_login(associate_milano)
    url = reverse("inventory-detail", args=["TEE-1"])

    response = client.get(url, {"start": NEAREST_SHOWN}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.count("<tr") == NEAREST_SHOWN  # the next page of rows, no header
    assert 'id="availability-more" hx-swap-oob="outerHTML"' in body  # the button, moved on
    assert f"?start={2 * NEAREST_SHOWN}" in body
    assert len(response.content) < 20 * 1024  # issue 15: every htmx swap at most 20 KB
    last = client.get(url, {"start": LOCATIONS - 5}, headers={"HX-Request": "true"}).content.decode()
    assert last.count("<tr") == 5 and '<p id="availability-more" hidden hx-swap-oob="outerHTML">' in last


@pytest.mark.parametrize("km", [0.4, 0.5, 2.5, 12.49, 12.5, 99.5, 1234.5])
def test_whole_km_rounds_like_floatformat(km):
    location = LocationSummary(1, "X", "X", "store", "", True, False)
    row = Availability(location, 1, 0, 1, km, False)

    assert str(row.whole_km) == floatformat(km, 0)
