"""Bulk ingestion of the catalogue, locations, stock snapshots and postal codes.

Called by the integration API and by `manage.py import_csv` / the admin upload, so both validate alike.
Each function takes validated items (msgspec structs), checks what needs the database, raises
`InvalidItems` before writing anything, then writes the whole batch in one transaction with bulk
statements (ON CONFLICT upserts), never one ORM save per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from django.db import connection, transaction

from omniportal.api_batch import (
    Checker,
    Country,
    Currency,
    Latitude,
    Longitude,
    Money,
    Quantity,
    Timestamp,
    last_wins,
    text,
)
from omniportal.models import Location
from omniportal.text import fold

from .models import Category, MovementKind, PostalCode, Product, StockLevel, StockMovement
from .services import stock_lock_order
from .waiting import waiting_for_product


@dataclass(frozen=True)
class Counts:
    created: int = 0
    updated: int = 0
    ignored: Annotated[
        int, msgspec.Meta(description="Stale snapshots, duplicates within the batch, erased customers.")
    ] = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "ignored": self.ignored}


# -- products ---------------------------------------------------------------------------------------------


# products_upsert refuses any other scheme.
HttpUrlOrBlank = Annotated[
    str,
    msgspec.Meta(
        max_length=500, description="An http(s) URL, or empty.", extra_json_schema={"pattern": "^(https?://|$)"}
    ),
]


class ProductIn(msgspec.Struct):
    sku: text(64)
    name: text(300)
    category: text(64, description="Category code; a new code creates the category.")
    price: Money
    currency: Currency
    barcode: text(64, required=False) = ""
    brand: text(100, required=False) = ""
    image_url: HttpUrlOrBlank = ""
    active: bool = True


@transaction.atomic
def products_upsert(*, items: list[ProductIn]) -> Counts:
    """Upsert by SKU; new category codes create a category; rows waiting for a new SKU are linked (inventory.waiting)."""
    checker = Checker()
    for index, item in enumerate(items):
        checker.currency(index, "currency", item.currency)
        if item.image_url and not item.image_url.startswith(("http://", "https://")):
            checker.add(index, "image_url", "Must be an http(s) URL.")
    checker.raise_if_any()
    chosen, ignored = last_wins(items, key=lambda p: p.sku)
    codes = {item.category for _i, item in chosen.values()}
    Category.objects.bulk_create([Category(code=c, name=c) for c in codes], ignore_conflicts=True)
    category_ids = dict(Category.objects.filter(code__in=codes).values_list("code", "id"))
    skus = list(chosen)
    existing = set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
    rows = [
        Product(
            sku=item.sku,
            name=item.name,
            category_id=category_ids[item.category],
            price=Decimal(item.price),
            currency=item.currency,
            barcode=item.barcode,
            brand=item.brand,
            image_url=item.image_url,
            active=item.active,
            search_text=fold(f"{item.sku} {item.name} {item.brand}")[:500],
        )
        for _i, item in chosen.values()
    ]
    Product.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["sku"],
        update_fields=[
            "name",
            "category",
            "price",
            "currency",
            "barcode",
            "brand",
            "image_url",
            "active",
            "search_text",
            "updated_at",
        ],
    )
    new_skus = [s for s in skus if s not in existing]
    if new_skus:
        waiting_for_product.link(new_skus)
    return Counts(created=len(new_skus), updated=len(skus) - len(new_skus), ignored=ignored)


# -- locations --------------------------------------------------------------------------------------------


class AddressIn(msgspec.Struct):
    line1: text(200, required=False)
    city: text(100, required=False)
    postal_code: text(20, required=False)
    country: Country


class LocationIn(msgspec.Struct):
    code: text(32)
    name: text(200)
    kind: Literal["store", "warehouse"]
    address: AddressIn
    lat: Latitude
    lon: Longitude
    ships_to_home: bool = True
    offers_pickup: bool = False
    commission_eligible: bool = True
    active: bool = True


@transaction.atomic
def locations_upsert(*, items: list[LocationIn]) -> Counts:
    checker = Checker()
    for index, item in enumerate(items):
        checker.country(index, "address.country", item.address.country)
    checker.raise_if_any()
    chosen, ignored = last_wins(items, key=lambda loc: loc.code)
    existing = set(Location.objects.filter(code__in=list(chosen)).values_list("code", flat=True))
    rows = [
        Location(
            code=item.code,
            name=item.name,
            kind=item.kind,
            address_line1=item.address.line1,
            city=item.address.city,
            postal_code=item.address.postal_code,
            country=item.address.country,
            lat=item.lat,
            lon=item.lon,
            ships_to_home=item.ships_to_home,
            offers_pickup=item.offers_pickup,
            commission_eligible=item.commission_eligible,
            active=item.active,
        )
        for _i, item in chosen.values()
    ]
    Location.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "name",
            "kind",
            "address_line1",
            "city",
            "postal_code",
            "country",
            "lat",
            "lon",
            "ships_to_home",
            "offers_pickup",
            "commission_eligible",
            "active",
            "updated_at",
        ],
    )
    created = len(chosen) - len(existing)
    return Counts(created=created, updated=len(existing), ignored=ignored)


# -- stock ------------------------------------------------------------------------------------------------


class StockLevelIn(msgspec.Struct):
    """Location and SKU must exist; on_hand may not go below the units reserved for open orders."""

    location: text(32, description="Location code.")
    sku: text(64)
    on_hand: Quantity
    as_of: Annotated[Timestamp, msgspec.Meta(description="Older than the stored row's as_of: ignored.")]
    safety_stock: Quantity | None = None


def _lock_stock_rows(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """The stock rows of these (location_id, product_id) pairs, locked until commit on PostgreSQL, in
    `stock_lock_order` (the pairs come sorted by it, and each chunk is locked in it)."""
    found: dict[tuple[int, int], StockLevel] = {}
    table = StockLevel._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    for start in range(0, len(pairs), 1000):
        chunk = pairs[start : start + 1000]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        params = [v for pair in chunk for v in pair]
        # A row-value IN over the batch's pairs: one indexed query instead of 5,000 lookups.
        sql = (
            f"SELECT id, location_id, product_id, on_hand, reserved, safety_stock, as_of FROM {table} "
            f"WHERE (location_id, product_id) IN (VALUES {values}) ORDER BY product_id, location_id{lock}"
        )
        for row in StockLevel.objects.raw(sql, params):
            found[(row.location_id, row.product_id)] = row
    return found


@transaction.atomic
def stock_levels_apply(*, items: list[StockLevelIn], reference: str = "feed") -> Counts:
    """Apply absolute on_hand snapshots. A snapshot older than the row's `as_of` is stale and ignored.

    A snapshot whose on_hand is below the units the portal has reserved on that row is refused (400): the
    feed does not know about open orders yet, and accepting it would promise stock that is not there.
    Every applied change of on_hand writes a `feed` stock movement.
    """
    checker = Checker()
    location_ids = dict(Location.objects.filter(code__in={i.location for i in items}).values_list("code", "id"))
    product_ids = dict(Product.objects.filter(sku__in={i.sku for i in items}).values_list("sku", "id"))
    for index, item in enumerate(items):
        if item.location not in location_ids:
            checker.add(index, "location", f"Unknown location '{item.location}'.")
        if item.sku not in product_ids:
            checker.add(index, "sku", f"Unknown SKU '{item.sku}'.")
    checker.raise_if_any()

    # Within a batch, the newest snapshot of a row wins.
    newest: dict[tuple[int, int], tuple[int, StockLevelIn]] = {}
    for index, item in enumerate(items):
        pair = (location_ids[item.location], product_ids[item.sku])
        if pair not in newest or item.as_of >= newest[pair][1].as_of:
            newest[pair] = (index, item)
    ignored = len(items) - len(newest)
    rows = _lock_stock_rows(sorted(newest, key=stock_lock_order))

    to_create: list[StockLevel] = []
    to_update: list[StockLevel] = []
    movements: list[StockMovement] = []
    for pair, (index, item) in newest.items():
        row = rows.get(pair)
        if row is None:
            to_create.append(
                StockLevel(
                    location_id=pair[0],
                    product_id=pair[1],
                    on_hand=item.on_hand,
                    safety_stock=item.safety_stock or 0,
                    as_of=item.as_of,
                )
            )
            continue
        if item.as_of < row.as_of:
            ignored += 1
            continue
        if item.on_hand < row.reserved:
            checker.add(
                index,
                "on_hand",
                f"on_hand {item.on_hand} is below the {row.reserved} unit(s) reserved for open orders at "
                f"{item.location} for {item.sku}.",
            )
            continue
        delta = item.on_hand - row.on_hand
        row.on_hand = item.on_hand
        if item.safety_stock is not None:
            row.safety_stock = item.safety_stock
        row.as_of = item.as_of
        to_update.append(row)
        if delta:
            movements.append(
                StockMovement(stock_id=row.id, kind=MovementKind.FEED, on_hand_delta=delta, occurred_at=item.as_of)
            )
    checker.raise_if_any()

    if to_create:
        StockLevel.objects.bulk_create(to_create, batch_size=1000)
        movements += [
            StockMovement(stock_id=row.id, kind=MovementKind.FEED, on_hand_delta=row.on_hand, occurred_at=row.as_of)
            for row in to_create
            if row.on_hand
        ]
    if to_update:
        StockLevel.objects.bulk_update(to_update, ["on_hand", "safety_stock", "as_of"], batch_size=1000)
    for movement in movements:
        movement.reference = reference[:100]
    StockMovement.objects.bulk_create(movements, batch_size=2000)
    return Counts(created=len(to_create), updated=len(to_update), ignored=ignored)


# -- postal codes (GeoNames postal code format) -----------------------------------------------------------


class PostalCodeIn(msgspec.Struct):
    country: Country
    postal_code: text(20)
    lat: Latitude
    lon: Longitude
    place_name: text(200, required=False) = ""


@transaction.atomic
def postal_codes_load(*, items: list[PostalCodeIn]) -> Counts:
    checker = Checker()
    for index, item in enumerate(items):
        checker.country(index, "country", item.country)
    checker.raise_if_any()
    chosen, ignored = last_wins(items, key=lambda p: (p.country, p.postal_code))
    before = PostalCode.objects.count()
    PostalCode.objects.bulk_create(
        [
            PostalCode(country=i.country, postal_code=i.postal_code, place_name=i.place_name, lat=i.lat, lon=i.lon)
            for _idx, i in chosen.values()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["country", "postal_code"],
        update_fields=["place_name", "lat", "lon"],
    )
    created = PostalCode.objects.count() - before
    return Counts(created=created, updated=len(chosen) - created, ignored=ignored)
