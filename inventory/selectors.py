"""Reads about products and stock that more than one caller needs."""

from __future__ import annotations

import math
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from omniportal.geo import EARTH_RADIUS_KM
from omniportal.models import Location, LocationKind
from omniportal.text import fold

from .models import Category, Product, StockLevel, atp_expression

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


class GreatCircleKm(Func):
    """haversine_km (omniportal.geo) in SQL, from a row's lat/lon columns to a fixed point.

    One expression node rather than a tree of twenty: the availability read builds and compiles it on every
    request, and the tree took longer to compile than the database took to run the query. Django registers
    these math functions on SQLite too (where LEAST is spelled MIN), so the same query runs on both databases.
    """

    output_field = FloatField()
    arity = 2

    def __init__(self, lat_column: F, lon_column: F, *, lat: float, lon: float) -> None:
        super().__init__(lat_column, lon_column)
        self.point = (lat, lon)

    def as_sql(self, compiler, connection, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        least = "MIN" if connection.vendor == "sqlite" else "LEAST"
        lat, lon = self.point
        sql = (
            f"(%s * ASIN(SQRT({least}(1.0, POWER(SIN(RADIANS({lat_sql} - %s) / 2.0), 2)"
            f" + %s * COS(RADIANS({lat_sql})) * POWER(SIN(RADIANS({lon_sql} - %s) / 2.0), 2)))))"
        )
        params = (
            2 * EARTH_RADIUS_KM,
            *lat_params,
            lat,
            math.cos(math.radians(lat)),
            *lat_params,
            *lon_params,
            lon,
        )
        return sql, params


def great_circle_km(lat: float, lon: float, *, prefix: str = "") -> GreatCircleKm:
    """Distance in km from (`lat`, `lon`) to each row (`prefix` reaches the location through a relation)."""
    return GreatCircleKm(F(f"{prefix}lat"), F(f"{prefix}lon"), lat=lat, lon=lon)


class AvailabilityTable(NamedTuple):
    """The rows a page shows and the totals over every location, shown or not."""

    rows: list[Availability]
    location_count: int
    stocked_count: int
    network_atp: int


def nearest_first(rows: QuerySet, point: tuple[float, float] | None, *, prefix: str = "") -> QuerySet:
    """`rows` with `distance_km` from `point` to their location, nearest first (ties: lowest code); without a
    point, distance None and in code order. `prefix` reaches the location through a relation. The one ordering
    of every "where is it" answer: the inventory page, the availability API and the stores API."""
    if point is None:
        return rows.annotate(distance_km=Value(None, output_field=FloatField())).order_by(f"{prefix}code")
    return rows.annotate(distance_km=great_circle_km(*point, prefix=prefix)).order_by("distance_km", f"{prefix}code")


def stock_by_distance(*, product: Product, point: tuple[float, float] | None) -> QuerySet[StockLevel]:
    """Stock rows of `product` at active locations with their ATP, `nearest_first` from `point`."""
    rows = StockLevel.objects.filter(product=product, location__active=True).annotate(atp=atp_expression())
    return nearest_first(rows, point, prefix="location__")


def availability_rows(
    *, product: Product, origin: Location | None, limit: int | None = None, offset: int = 0
) -> QuerySet:
    """`stock_by_distance` from `origin` with `origin` itself first, as tuples, `limit` of them from the `offset`-th;
    each row also carries the totals over all rows (window aggregates).

    The database computes the distances, sorts and cuts, so a page showing the nearest 25 of 500 locations
    fetches 25 rows. The benchmark times this very query raw.
    """
    point = (origin.lat, origin.lon) if origin is not None else None
    rows = stock_by_distance(product=product, point=point)
    if origin is not None:
        here = Case(When(location_id=origin.pk, then=Value(True)), default=Value(False))
        rows = rows.annotate(is_here=here).order_by(F("is_here").desc(), "distance_km", "location__code")
    else:
        rows = rows.annotate(is_here=Value(False, output_field=BooleanField()))
    rows = rows.annotate(
        location_count=Window(Count("pk")),
        stocked_count=Window(Sum(Case(When(atp__gt=0, then=Value(1)), default=Value(0)))),
        network_atp=Window(Sum("atp")),
    ).values_list(
        "on_hand",
        "reserved",
        "atp",
        "distance_km",
        "is_here",
        "location_id",
        "location__code",
        "location__name",
        "location__kind",
        "location__city",
        "location__ships_to_home",
        "location__offers_pickup",
        "location_count",
        "stocked_count",
        "network_atp",
    )
    return rows[offset:] if limit is None else rows[offset : offset + limit]


def availability_for_sku(
    *, product: Product, origin: Location | None, limit: int | None = None, offset: int = 0
) -> AvailabilityTable:
    """ATP of `product` at active locations holding a stock row: `origin` first, then the nearest, at most
    `limit` of them from the `offset`-th (every one without a limit); the totals count every location. One query."""
    fetched = list(availability_rows(product=product, origin=origin, limit=limit, offset=offset))
    rows = [
        Availability(
            LocationSummary(pk, code, name, kind, city, ships, pickup), on_hand, reserved, atp, distance, bool(here)
        )
        for on_hand, reserved, atp, distance, here, pk, code, name, kind, city, ships, pickup, *_ in fetched
    ]
    location_count, stocked_count, network_atp = fetched[0][-3:] if fetched else (0, 0, 0)
    return AvailabilityTable(rows, location_count, stocked_count, network_atp or 0)


def category_names(*, codes: list[str]) -> dict[str, str]:
    """Category names by code, for the codes given (a customer's preferred categories). One query, none without codes."""
    if not codes:
        return {}
    return dict(Category.objects.filter(code__in=codes).values_list("code", "name"))
