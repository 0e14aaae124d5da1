"""Reads about products and stock that more than one caller needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from omniportal.geo import haversine_km
from omniportal.text import fold

from .models import Location, Product, StockLevel, atp_expression

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


@dataclass(frozen=True)
class Availability:
    location: Location
    on_hand: int
    reserved: int
    atp: int
    distance_km: float | None
    is_here: bool


def availability_for_sku(*, product: Product, origin: Location | None) -> list[Availability]:
    """ATP of `product` at every active location holding a stock row: `origin` first, then by distance from it.

    One query; distances in Python (a few hundred rows at most, one per location).
    """
    rows = (
        StockLevel.objects.filter(product=product, location__active=True)
        .select_related("location")
        .only(
            "on_hand",
            "reserved",
            "safety_stock",
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
    result = []
    for row in rows:
        location = row.location
        distance = haversine_km(origin.lat, origin.lon, location.lat, location.lon) if origin is not None else None
        result.append(
            Availability(
                location=location,
                on_hand=row.on_hand,
                reserved=row.reserved,
                atp=row.atp,
                distance_km=distance,
                is_here=origin is not None and location.pk == origin.pk,
            )
        )
    result.sort(key=lambda a: (not a.is_here, a.distance_km if a.distance_km is not None else 0.0, a.location.code))
    return result
