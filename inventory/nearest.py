"""The nearest active store to a point: one definition for commissions, customer profiles and the store locator.

`nearest_store(lat, lon)` answers from an in-process index instead of the database, because crediting a
commission and drawing a profile ask it for every order and every customer. The answer is exactly the
brute-force one: min over active stores of (haversine_km(lat, lon, store.lat, store.lon), store.code).

How it stays exact and fast: the globe is cut into 0.1° cells. For each cell, computed once on first use,
we keep only the stores that can be nearest to *some* point of the cell. By the triangle inequality, a
store s can win for a point p within r km of the cell centre c only if d(c, s) ≤ min_t d(c, t) + 2r, so
every other store is pruned. A query is then a dict lookup plus a few exact haversines. Fine cells are
derived from 1° coarse cells that hold the same kind of candidate list, so warming a cell costs a scan of
its coarse cell's candidates, not of every store.

Freshness: saving or deleting a Location in this process drops the index (signals). Changes made by other
processes, bulk updates or a test database rollback are caught by a cheap version query (count, sums and
max(updated_at) of the store rows) run at most every `NEAREST_STORE_RECHECK_SECONDS` (setting, default 5).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.base import ModelState
from django.db.models.signals import post_delete, post_save

from omniportal.geo import EARTH_RADIUS_KM, haversine_km
from omniportal.models import Location, LocationKind

FINE_CELLS_PER_DEGREE = 10
# Float error in haversine is ~1e-12 km; pad generously, it only costs an extra candidate now and then.
_PAD_KM = 1e-6
_MAX_CACHED_CELLS = 200_000
_DEFAULT_RECHECK_SECONDS = 5.0

# (lat, lon, code, location, x, y, z): the location is a template copied before it leaves this module;
# x, y, z is the store's unit vector, for cheap pruning.
_Entry = tuple[float, float, str, Location, float, float, float]


class InvalidPoint(ValueError):
    """Latitude/longitude are not finite numbers within [-90, 90] × [-180, 180]."""


def _cell_radius_km(lat_lo: float, lat_hi: float, lon_lo: float, lon_hi: float) -> tuple[float, float, float]:
    """Centre of a lat/lon rectangle and a safe upper bound of the distance from it to any point inside.

    The distance from the centre along a parallel grows with |Δlon| and along a meridian has a single
    minimum, so within a small rectangle the farthest point is a corner; 5 % on top covers curvature.
    """
    lat_lo, lat_hi = max(-90.0, lat_lo), min(90.0, lat_hi)
    c_lat, c_lon = (lat_lo + lat_hi) / 2, (lon_lo + lon_hi) / 2
    corner = max(haversine_km(c_lat, c_lon, la, lo) for la in (lat_lo, lat_hi) for lo in (lon_lo, lon_hi))
    return c_lat, c_lon, corner * 1.05 + 1e-3


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def _prune(entries: tuple[_Entry, ...], c_lat: float, c_lon: float, radius_km: float) -> tuple[_Entry, ...]:
    """Keep the stores within (distance of the nearest to the centre) + 2 × radius of the centre.

    Compared as squared chords between unit vectors (monotonic in great-circle distance, a few float
    operations per store instead of a haversine); the limit is padded so float error only adds stores.
    """
    if not entries:
        return entries
    cx, cy, cz = _unit(c_lat, c_lon)
    chords = [(e[4] - cx) ** 2 + (e[5] - cy) ** 2 + (e[6] - cz) ** 2 for e in entries]
    nearest_km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(min(chords)) / 2))
    limit_km = nearest_km + 2 * radius_km + _PAD_KM
    if limit_km >= math.pi * EARTH_RADIUS_KM:
        return entries
    limit = (2 * math.sin(limit_km / (2 * EARTH_RADIUS_KM))) ** 2 * (1 + 1e-9) + 1e-15
    return tuple(e for e, chord in zip(entries, chords, strict=True) if chord <= limit)


@dataclass
class StoreIndex:
    """Stores of one kind (all active, or active and commission-eligible), ready for nearest queries."""

    entries: tuple[_Entry, ...]
    _coarse: dict[tuple[int, int], tuple[_Entry, ...]] = field(default_factory=dict)
    _fine: dict[tuple[int, int], tuple[_Entry, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    def _coarse_candidates(self, key: tuple[int, int]) -> tuple[_Entry, ...]:
        found = self._coarse.get(key)
        if found is None:
            lat0, lon0 = float(key[0]), float(key[1])
            c_lat, c_lon, radius = _cell_radius_km(lat0, lat0 + 1, lon0, lon0 + 1)
            found = self._coarse[key] = _prune(self.entries, c_lat, c_lon, radius)
        return found

    def _fine_candidates(self, key: tuple[int, int]) -> tuple[_Entry, ...]:
        if len(self._fine) > _MAX_CACHED_CELLS:
            # Queries spread over the whole globe; start over rather than grow without bound.
            self._fine.clear()
        step = 1 / FINE_CELLS_PER_DEGREE
        lat0, lon0 = key[0] * step, key[1] * step
        c_lat, c_lon, radius = _cell_radius_km(lat0, lat0 + step, lon0, lon0 + step)
        # The fine cell lies inside its coarse cell, so the coarse candidates contain every possible winner.
        coarse = self._coarse_candidates((key[0] // FINE_CELLS_PER_DEGREE, key[1] // FINE_CELLS_PER_DEGREE))
        found = self._fine[key] = _prune(coarse, c_lat, c_lon, radius)
        return found

    def nearest_entry(self, lat: float, lon: float) -> tuple[_Entry, float] | None:
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError) as exc:
            raise InvalidPoint(f"not a point on Earth: {lat!r}, {lon!r}") from exc
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidPoint(f"not a point on Earth: {lat!r}, {lon!r}")
        if not self.entries:
            return None
        key = (math.floor(lat * FINE_CELLS_PER_DEGREE), math.floor(lon * FINE_CELLS_PER_DEGREE))
        candidates = self._fine.get(key)
        if candidates is None:
            candidates = self._fine_candidates(key)
        best: _Entry | None = None
        best_km = math.inf
        for entry in candidates:
            km = haversine_km(lat, lon, entry[0], entry[1])
            if km < best_km or (km == best_km and entry[2] < best[2]):
                best, best_km = entry, km
        assert best is not None
        return best, best_km

    def nearest(self, lat: float, lon: float) -> tuple[Location, float] | None:
        found = self.nearest_entry(lat, lon)
        if found is None:
            return None
        entry, km = found
        return _copy_location(entry[3]), km


def make_entry(store: Location) -> _Entry:
    return (store.lat, store.lon, store.code, store, *_unit(store.lat, store.lon))


def _copy_location(template: Location) -> Location:
    # Callers get their own instance: the cached one is shared by every request of the process.
    copy = Location.__new__(Location)
    copy.__dict__.update(template.__dict__)
    copy._state = ModelState()
    copy._state.db = template._state.db
    copy._state.adding = False
    return copy


def _stores(*, commission_eligible: bool):
    stores = Location.objects.filter(kind=LocationKind.STORE, active=True)
    if commission_eligible:
        stores = stores.filter(commission_eligible=True)
    return stores


def _version() -> tuple:
    """Changes whenever a store row is added, removed or moved, or changes its flags (cheap: one aggregate)."""
    summary = Location.objects.filter(kind=LocationKind.STORE).aggregate(
        v_count=Count("id"),
        v_active=Count("id", filter=Q(active=True)),
        v_eligible=Count("id", filter=Q(active=True, commission_eligible=True)),
        v_lat=Sum("lat"),
        v_lon=Sum("lon"),
        v_updated=Max("updated_at"),
        v_top=Max("id"),
    )
    return tuple(summary.values())


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.indexes: dict[bool, StoreIndex] = {}
        self.version: tuple | None = None
        self.checked_at = 0.0

    def clear(self, **kwargs) -> None:
        with self.lock:
            self.indexes = {}
            self.version = None

    def index(self, *, commission_eligible: bool) -> StoreIndex:
        recheck = float(getattr(settings, "NEAREST_STORE_RECHECK_SECONDS", _DEFAULT_RECHECK_SECONDS))
        now = time.monotonic()
        if self.version is None or now - self.checked_at >= recheck:
            version = _version()
            with self.lock:
                if version != self.version:
                    self.indexes = {}
                    self.version = version
                self.checked_at = now
        found = self.indexes.get(commission_eligible)
        if found is None:
            entries = tuple(
                make_entry(store) for store in _stores(commission_eligible=commission_eligible).order_by("code")
            )
            found = StoreIndex(entries=entries)
            with self.lock:
                self.indexes = {**self.indexes, commission_eligible: found}
        return found


_cache = _Cache()
post_save.connect(_cache.clear, sender=Location, dispatch_uid="inventory.nearest.saved")
post_delete.connect(_cache.clear, sender=Location, dispatch_uid="inventory.nearest.deleted")


def store_index(*, commission_eligible: bool = True) -> StoreIndex:
    """The current index, for callers that ask many points at once (a sweep, a benchmark)."""
    return _cache.index(commission_eligible=commission_eligible)


def nearest_store(lat: float, lon: float, *, commission_eligible: bool = True) -> tuple[Location, float] | None:
    """The active store nearest to (lat, lon) and its great-circle distance in km; ties go to the lowest code.

    With `commission_eligible` (the default) only stores that may receive commissions count. None when
    there is no such store. Raises `InvalidPoint` for coordinates that are not on Earth.
    """
    return _cache.index(commission_eligible=commission_eligible).nearest(lat, lon)
