"""Reads about products and stock that more than one caller needs."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from omniportal.geo import haversine_km
from omniportal.text import fold

from .models import Location, LocationKind, Product, StockLevel, atp_expression

SEARCH_LIMIT = 30


def products_search(
    *, query: str, store: Location | None = None, only_in_store: bool = False, limit: int = SEARCH_LIMIT
) -> list[Product]:
    """Active products by SKU or barcode (exact match first), else by every word of name/SKU/brand.

    Each result carries `store_atp`: its ATP at `store` (0 without a row). With `only_in_store`, only products
    with ATP at `store`.
    """
    raw = query.strip()[:100]
    if not raw:
        return []
    words = fold(raw).split()
    products = Product.objects.filter(active=True)
    if store is not None:
        here = StockLevel.objects.filter(product=OuterRef("pk"), location=store).annotate(atp=atp_expression())
        products = products.annotate(
            store_atp=Coalesce(Subquery(here.values("atp")[:1], output_field=IntegerField()), Value(0))
        )
        if only_in_store:
            products = products.filter(store_atp__gt=0)
    else:
        products = products.annotate(store_atp=Value(0, output_field=IntegerField()))
    exact = list(products.filter(Q(sku__iexact=raw) | Q(barcode=raw)).order_by("sku")[:limit])
    if exact:
        # A scanned barcode or a typed SKU names one product: no fuzzy matches below it.
        return exact
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return list(products.filter(condition).order_by("sku")[:limit])


def product_by_sku(*, sku: str) -> Product | None:
    return Product.objects.filter(sku=sku).select_related("category").first()


class LocationSummary(NamedTuple):
    """The columns of a location that an availability row shows (no model instance: hundreds per page)."""

    pk: int
    code: str
    name: str
    kind: str
    city: str
    ships_to_home: bool
    offers_pickup: bool

    @property
    def is_warehouse(self) -> bool:
        return self.kind == LocationKind.WAREHOUSE


class Availability(NamedTuple):
    location: LocationSummary
    on_hand: int
    reserved: int
    atp: int
    distance_km: float | None
    is_here: bool

    @property
    def whole_km(self) -> int | None:
        """The distance rounded half up, as `floatformat:0` shows it."""
        return None if self.distance_km is None else int(self.distance_km + 0.5)


def availability_rows(*, product: Product) -> QuerySet:
    """Every active location's stock row for `product`, as tuples (the benchmark times this very query raw)."""
    return (
        StockLevel.objects.filter(product=product, location__active=True)
        .annotate(atp=atp_expression())
        .values_list(
            "on_hand",
            "reserved",
            "atp",
            "location_id",
            "location__code",
            "location__name",
            "location__kind",
            "location__city",
            "location__lat",
            "location__lon",
            "location__ships_to_home",
            "location__offers_pickup",
        )
    )


def availability_for_sku(*, product: Product, origin: Location | None) -> list[Availability]:
    """ATP of `product` at every active location holding a stock row: `origin` first, then by distance from it.

    One query returning plain tuples; distances and the sort in Python (one row per location, 500 at most).
    """
    origin_pk, origin_lat, origin_lon = (origin.pk, origin.lat, origin.lon) if origin is not None else (None, 0.0, 0.0)
    result = []
    for on_hand, reserved, atp, pk, code, name, kind, city, lat, lon, ships, pickup in availability_rows(
        product=product
    ):
        distance = haversine_km(origin_lat, origin_lon, lat, lon) if origin_pk is not None else None
        location = LocationSummary(pk, code, name, kind, city, ships, pickup)
        result.append(Availability(location, on_hand, reserved, atp, distance, pk == origin_pk))
    result.sort(key=lambda a: (not a.is_here, a.distance_km if a.distance_km is not None else 0.0, a.location.code))
    return result
