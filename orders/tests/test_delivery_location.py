from __future__ import annotations

import pytest

from inventory.models import City, CityAlias, PostalCode
from orders.location import delivery_location_resolve, postal_code_candidates
from orders.models import LocationSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def geodata(db):
    PostalCode.objects.create(country="IT", postal_code="20121", place_name="Milano", lat=45.47, lon=9.19)
    PostalCode.objects.create(country="GB", postal_code="SW1A", place_name="London", lat=51.50, lon=-0.14)
    # As GeoNames has it: "Rome" is the main name, "Roma" one of its alternate names (load_geodata).
    rome = City.objects.create(
        geoname_id=1, country="IT", name="Rome", name_key="rome", lat=41.9, lon=12.5, population=2_800_000
    )
    CityAlias.objects.create(city=rome, country="IT", name="roma")
    City.objects.create(geoname_id=2, country="IT", name="Rome", name_key="rome", lat=45.0, lon=9.0, population=1_200)
    City.objects.create(
        geoname_id=3, country="DE", name="München", name_key="munchen", lat=48.14, lon=11.58, population=1_500_000
    )


def test_given_coordinates_win(geodata):
    found = delivery_location_resolve(country="IT", postal_code="20121", city="Milano", lat=45.1, lon=9.2)
    assert (found.lat, found.lon, found.source) == (45.1, 9.2, LocationSource.GIVEN)


def test_out_of_range_coordinates_are_ignored(geodata):
    found = delivery_location_resolve(country="IT", postal_code="20121", lat=123.0, lon=9.2)
    assert found.source == LocationSource.POSTAL_CODE


def test_postal_code_centroid_when_no_coordinates(geodata):
    found = delivery_location_resolve(country="it", postal_code=" 20121 ", city="Milano")
    assert (found.lat, found.lon, found.source) == (45.47, 9.19, LocationSource.POSTAL_CODE)


def test_outward_postal_code_matches_a_full_uk_code(geodata):
    found = delivery_location_resolve(country="GB", postal_code="sw1a 1aa", city="")
    assert found.source == LocationSource.POSTAL_CODE
    assert postal_code_candidates("sw1a 1aa") == ["SW1A 1AA", "SW1A1AA", "SW1A"]


def test_city_centroid_prefers_the_most_populous_namesake(geodata):
    found = delivery_location_resolve(country="IT", postal_code="00999", city="ROME")
    assert (found.lat, found.source) == (41.9, LocationSource.CITY)


def test_city_found_by_an_alternate_name(geodata, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = delivery_location_resolve(country="IT", city="Roma")
    assert (found.lat, found.source) == (41.9, LocationSource.CITY)


def test_a_main_name_wins_over_a_bigger_citys_alternate_name(geodata):
    City.objects.create(geoname_id=4, country="IT", name="Roma", name_key="roma", lat=45.5, lon=9.5, population=1_000)
    assert delivery_location_resolve(country="IT", city="Roma").lat == 45.5


def test_an_alternate_name_shared_by_two_cities_goes_to_the_most_populous(geodata):
    bigger = City.objects.create(
        geoname_id=5, country="IT", name="Borgo", name_key="borgo", lat=44.0, lon=10.0, population=3_000_000
    )
    CityAlias.objects.create(city=bigger, country="IT", name="roma")
    assert delivery_location_resolve(country="IT", city="Roma").lat == 44.0


def test_an_alternate_name_shared_by_two_equally_populous_cities_goes_to_the_lower_geonames_id(geodata):
    for geoname_id, lat in [(7, 44.7), (6, 44.6)]:
        twin = City.objects.create(
            geoname_id=geoname_id, country="IT", name="Borgo", name_key="borgo", lat=lat, lon=10.0, population=500
        )
        CityAlias.objects.create(city=twin, country="IT", name="altoborgo")
    assert delivery_location_resolve(country="IT", city="Altoborgo").lat == 44.6


def test_city_match_ignores_accents(geodata):
    assert delivery_location_resolve(country="DE", city="Munchen").source == LocationSource.CITY
    assert delivery_location_resolve(country="DE", city="MÜNCHEN").source == LocationSource.CITY


def test_city_in_another_country_does_not_match(geodata):
    assert delivery_location_resolve(country="FR", city="Roma").source == LocationSource.UNLOCATED


def test_nothing_known_is_unlocated(geodata):
    found = delivery_location_resolve(country="IT", postal_code="99999", city="Nowhere")
    assert (found.lat, found.lon, found.source) == (None, None, LocationSource.UNLOCATED)
