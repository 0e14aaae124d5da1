from __future__ import annotations

import pytest

from omniportal.models import Location

URL = "/api/v1/locations/"


def location(code="MI02", **overrides):
    return {
        "code": code,
        "name": "Milano Centrale",
        "kind": "store",
        "address": {"line1": "Piazza Duca d'Aosta 1", "city": "Milano", "postal_code": "20124", "country": "IT"},
        "lat": 45.4855,
        "lon": 9.2040,
        **overrides,
    }


@pytest.mark.django_db
def test_locations_are_upserted_by_code(api_client):
    first = api_client.post(URL, {"locations": [location()]}, format="json").json()
    second = api_client.post(URL, {"locations": [location(name="Milano Stazione", offers_pickup=True)]}, format="json")

    assert first == {"created": 1, "updated": 0, "ignored": 0}
    assert second.json() == {"created": 0, "updated": 1, "ignored": 0}
    stored = Location.objects.get(code="MI02")
    assert (stored.name, stored.offers_pickup, stored.city) == ("Milano Stazione", True, "Milano")


@pytest.mark.django_db
def test_an_out_of_range_latitude_is_named(api_client):
    response = api_client.post(URL, {"locations": [location(), location("MI03", lat=91)]}, format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "lat")]
    assert not Location.objects.exists()


@pytest.mark.django_db
def test_a_country_that_is_not_iso_3166_is_named(api_client):
    response = api_client.post(
        URL,
        {"locations": [location(address={"line1": "", "city": "", "postal_code": "", "country": "XX"})]},
        format="json",
    )

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "address.country")]


@pytest.mark.django_db
def test_unknown_fields_are_ignored(api_client):
    response = api_client.post(URL, {"locations": [location(colour="red")], "extra": 1}, format="json")

    assert response.status_code == 200
