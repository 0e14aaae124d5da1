"""Bulk ingestion of customers, browsing events, cart snapshots and store visits (integration API).

Order-safe and idempotent: an event_id seen before is a duplicate, a customer or cart snapshot older
than the stored one is ignored. Events, carts and visits for a customer or SKU not known yet are kept
with the external id / SKU and linked when that customer or product arrives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
import psycopg
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q

from inventory.ingest import Counts
from inventory.models import Product
from inventory.nearest import nearest_store
from omniportal.api_batch import (
    COORDINATES_TOGETHER,
    Checker,
    Country,
    Currency,
    Email,
    Latitude,
    Longitude,
    Money,
    PositiveQuantity,
    Timestamp,
    text,
)
from omniportal.models import Location, LocationKind
from omniportal.text import digits, name_key, to_e164

from .models import BrowsingEvent, Cart, CartLine, Customer, EventType, Visit, WishlistItem
from .waiting import waiting_for_customer

# -- customers --------------------------------------------------------------------------------------------


class CustomerAddressIn(msgspec.Struct):
    line1: text(200, required=False)
    city: text(100, required=False)
    postal_code: text(20, required=False)
    country: Country
    line2: text(200, required=False) = ""
    lat: Latitude | None = None
    lon: Longitude | None = None


class ConsentIn(msgspec.Struct):
    clienteling: bool
    marketing: bool


class CustomerIn(msgspec.Struct):
    external_id: text(64)
    first_name: text(100, required=False)
    last_name: text(100, required=False)
    consent: ConsentIn
    updated_at: Annotated[Timestamp, msgspec.Meta(description="An older snapshot than the stored one is ignored.")]
    email: Email = ""
    phone: text(
        40, required=False, description="Any format; stored E.164 (Italy unless the address says otherwise)."
    ) = ""
    loyalty_number: Annotated[
        text(32, required=False) | None, msgspec.Meta(description="Held by one customer only.")
    ] = None
    address: Annotated[CustomerAddressIn | None, msgspec.Meta(extra_json_schema=COORDINATES_TOGETHER)] = None


_CUSTOMER_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_digits",
    "search_name",
    "loyalty_number",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "lat",
    "lon",
    "nearest_store",
    "nearest_store_km",
    "consent_clienteling",
    "consent_marketing",
    "source_updated_at",
]


def _nearest(lat: float | None, lon: float | None) -> tuple[int | None, float | None]:
    if lat is None or lon is None:
        return None, None
    found = nearest_store(lat, lon, commission_eligible=False)
    if found is None:
        return None, None
    store, km = found
    return store.pk, round(km, 3)


@transaction.atomic
def customers_upsert(*, items: list[CustomerIn]) -> Counts:
    """Upsert by external_id. A snapshot older than the stored one (`source_updated_at`) is ignored.

    Keeps the derived keys in step (search_name, E.164 phone and its digits, nearest store), and links the
    events, carts, visits and sales that were waiting for these customers. Erased customers stay erased.
    """
    checker = Checker()
    phones: dict[int, str] = {}
    for index, item in enumerate(items):
        if item.email:
            try:
                validate_email(item.email)
            except DjangoValidationError:
                checker.add(index, "email", f"'{item.email}' is not an email address.")
        country = item.address.country if item.address else "IT"
        if item.address:
            checker.country(index, "address.country", country)
            if (item.address.lat is None) != (item.address.lon is None):
                checker.add(index, "address.lat", "Give both lat and lon, or neither.")
        if item.phone:
            try:
                phones[index] = to_e164(item.phone, country if len(country) == 2 else "IT")
            except ValueError as exc:
                checker.add(index, "phone", str(exc))
    checker.raise_if_any()

    # Within a batch, the newest snapshot of a customer wins.
    newest: dict[str, tuple[int, CustomerIn]] = {}
    for index, item in enumerate(items):
        seen = newest.get(item.external_id)
        if seen is None or item.updated_at >= seen[1].updated_at:
            newest[item.external_id] = (index, item)
    ignored = len(items) - len(newest)

    existing = {
        row["external_id"]: row
        for row in Customer.objects.select_for_update()
        .filter(external_id__any=list(newest))
        .values("external_id", "source_updated_at", "erased_at")
    }
    loyalty_owners = dict(
        Customer.objects.filter(loyalty_number__any=[i.loyalty_number for _x, i in newest.values() if i.loyalty_number])
        .exclude(loyalty_number=None)
        .values_list("loyalty_number", "external_id")
    )
    seen_loyalty: dict[str, str] = {}
    rows: list[dict] = []  # Customer field values: model instances cost more than the database write
    for external_id, (index, item) in newest.items():
        current = existing.get(external_id)
        if current is not None and (
            current["erased_at"] is not None
            or (current["source_updated_at"] is not None and item.updated_at < current["source_updated_at"])
        ):
            ignored += 1
            continue
        if item.loyalty_number:
            owner = loyalty_owners.get(item.loyalty_number, external_id)
            other = seen_loyalty.setdefault(item.loyalty_number, external_id)
            if owner != external_id or other != external_id:
                checker.add(index, "loyalty_number", f"'{item.loyalty_number}' belongs to another customer.")
                continue
        address = item.address or CustomerAddressIn(line1="", city="", postal_code="", country="")
        phone = phones.get(index, "")
        nearest_id, nearest_km = _nearest(address.lat, address.lon)
        rows.append(
            {
                "external_id": external_id,
                "first_name": item.first_name,
                "last_name": item.last_name,
                "email": item.email,
                "phone": phone,
                "phone_digits": digits(phone),
                "search_name": name_key(item.first_name, item.last_name)[:210],
                "loyalty_number": item.loyalty_number or None,
                "address_line1": address.line1,
                "address_line2": address.line2,
                "city": address.city,
                "postal_code": address.postal_code,
                "country": address.country,
                "lat": address.lat,
                "lon": address.lon,
                "nearest_store_id": nearest_id,
                "nearest_store_km": nearest_km,
                "consent_clienteling": item.consent.clienteling,
                "consent_marketing": item.consent.marketing,
                "source_updated_at": item.updated_at,
            }
        )
    checker.raise_if_any()
    if connection.vendor == "postgresql":
        created, updated = _upsert_customers_postgres(rows)
        ignored += len(rows) - created - updated
    else:
        Customer.objects.bulk_create(
            [Customer(**row) for row in rows],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=_CUSTOMER_FIELDS,
        )
        created = sum(1 for row in rows if row["external_id"] not in existing)
        updated = len(rows) - created
    new_ids = [row["external_id"] for row in rows if row["external_id"] not in existing]
    if new_ids:
        customers_link_pending(external_ids=new_ids)
    return Counts(created=created, updated=updated, ignored=ignored)


_CUSTOMER_PG_COLUMNS = [
    ("external_id", "text"),
    *(
        (name, kind)
        for name, kind in (
            ("first_name", "text"),
            ("last_name", "text"),
            ("email", "text"),
            ("phone", "text"),
            ("phone_digits", "text"),
            ("search_name", "text"),
            ("loyalty_number", "text"),
            ("address_line1", "text"),
            ("address_line2", "text"),
            ("city", "text"),
            ("postal_code", "text"),
            ("country", "text"),
            ("lat", "float8"),
            ("lon", "float8"),
            ("nearest_store_id", "bigint"),
            ("nearest_store_km", "float8"),
            ("consent_clienteling", "boolean"),
            ("consent_marketing", "boolean"),
            ("source_updated_at", "timestamptz"),
        )
    ),
]


def _upsert_customers_postgres(rows: list[dict]) -> tuple[int, int]:
    """One INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE, returning (created, updated).

    The WHERE of the DO UPDATE makes the database, not a read-before-write, refuse an older snapshot or an
    erased customer: two feeds racing on one customer cannot put the older snapshot last.
    """
    if not rows:
        return 0, 0
    names = [name for name, _kind in _CUSTOMER_PG_COLUMNS]
    arrays = ", ".join(f"%s::{kind}[]" for _name, kind in _CUSTOMER_PG_COLUMNS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names[1:])
    table = Customer._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}, loyalty_tier, sizes, preferences, created_at) "
        f"SELECT u.*, '', '{{}}'::jsonb, '{{}}'::jsonb, now() FROM unnest({arrays}) AS u "
        f"ON CONFLICT (external_id) DO UPDATE SET {updates} "
        f"WHERE {table}.erased_at IS NULL AND ({table}.source_updated_at IS NULL "
        f"OR {table}.source_updated_at <= EXCLUDED.source_updated_at) "
        f"RETURNING (xmax = 0)"
    )
    params = [[row[name] for row in rows] for name in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        outcomes = [inserted for (inserted,) in cursor.fetchall()]
    created = sum(outcomes)
    return created, len(outcomes) - created


def customers_link_pending(*, external_ids: list[str]) -> None:
    """Attach every row that arrived before its customer (clienteling.waiting: events, carts, visits, and what the
    apps above registered), then rebuild those customers' wishlists from their events."""
    waiting_for_customer.link(external_ids)
    ids = list(Customer.objects.filter(external_id__any=external_ids).values_list("id", flat=True))
    _wishlists_rebuild(customer_ids=ids, skus=None)


# -- events -----------------------------------------------------------------------------------------------


class EventIn(msgspec.Struct):
    event_id: uuid.UUID
    type: Literal[
        "product_view", "add_to_cart", "remove_from_cart", "wishlist_add", "wishlist_remove", "search", "login"
    ]
    occurred_at: Timestamp
    session_id: text(100)
    channel: Literal["web", "app"]
    customer_external_id: text(64, required=False) | None = None
    sku: text(64, required=False) | None = None
    quantity: PositiveQuantity | None = None
    query: text(200, required=False) | None = None
    device: text(100, required=False) | None = None


@dataclass(frozen=True)
class EventCounts:
    accepted: int
    duplicates: int

    def as_dict(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates}


EVENT_COLUMNS = (
    "event_id",
    "type",
    "occurred_at",
    "session_id",
    "customer_id",
    "customer_external_id",
    "product_id",
    "sku",
    "quantity",
    "query",
    "channel",
    "device",
)
_WISHLIST_TYPES = (EventType.WISHLIST_ADD, EventType.WISHLIST_REMOVE)


def _key_to_id(model: type, key: str, keys: set[str], *, live_customers: bool = False) -> dict[str, int]:
    """{key value: id} of the rows whose `key` is among `keys` (one array parameter on PostgreSQL)."""
    if not keys:
        return {}
    rows = model.objects.filter(**{f"{key}__any": list(keys)})
    return dict((rows.filter(erased_at=None) if live_customers else rows).values_list(key, "id"))


def _known_customers(external_ids: set[str]) -> dict[str, int]:
    return _key_to_id(Customer, "external_id", external_ids, live_customers=True)


def _known_products(skus: set[str]) -> dict[str, int]:
    return _key_to_id(Product, "sku", skus)


@transaction.atomic
def events_append(*, items: list[EventIn]) -> EventCounts:
    """Append events; an event_id stored before (or twice in the batch) is a duplicate and changes nothing.

    A `login` event links the session's earlier anonymous events to its customer (or to the customer's
    external id, when the customer is not known yet).
    """
    customers = _known_customers({e.customer_external_id for e in items if e.customer_external_id})
    products = _known_products({e.sku for e in items if e.sku})
    rows = [
        (
            e.event_id,
            e.type,
            e.occurred_at,
            e.session_id,
            customers.get(e.customer_external_id) if e.customer_external_id else None,
            e.customer_external_id or "",
            products.get(e.sku) if e.sku else None,
            e.sku or "",
            e.quantity,
            e.query or "",
            e.channel,
            e.device or "",
        )
        for e in items
    ]
    accepted = _insert_events(rows)

    for login in (e for e in items if e.type == EventType.LOGIN and e.customer_external_id):
        BrowsingEvent.objects.filter(
            session_id=login.session_id,
            customer__isnull=True,
            customer_external_id="",
            occurred_at__lte=login.occurred_at,
        ).update(customer_id=customers.get(login.customer_external_id), customer_external_id=login.customer_external_id)

    wishlist = [e for e in items if e.type in _WISHLIST_TYPES and e.sku]
    if wishlist:
        ids = {customers[e.customer_external_id] for e in wishlist if e.customer_external_id in customers}
        # Anonymous wishlist events count for whoever that session's login made them (now or earlier).
        sessions = {e.session_id for e in wishlist if not e.customer_external_id}
        if sessions:
            ids.update(
                BrowsingEvent.objects.filter(
                    session_id__in=sessions, type__in=_WISHLIST_TYPES, customer__isnull=False
                ).values_list("customer_id", flat=True)
            )
        _wishlists_rebuild(customer_ids=list(ids), skus={e.sku for e in wishlist})
    return EventCounts(accepted=accepted, duplicates=len(items) - accepted)


_EVENT_PG_TYPES = (
    "uuid",
    "text",
    "timestamptz",
    "text",
    "bigint",
    "text",
    "bigint",
    "text",
    "integer",
    "text",
    "text",
    "text",
)


def _insert_events(rows: list[tuple]) -> int:
    """Store the rows whose event_id is new; returns how many were really inserted.

    PostgreSQL: a batch of new events (the normal case) goes in by COPY, which costs a little over half of
    `INSERT … ON CONFLICT DO NOTHING` at 20M rows (docs/performance.md). A batch holding an id stored
    before (a client's retry) or by a concurrent writer makes the unique index refuse the COPY, usually at
    its first rows; it is then inserted again, conflict-safe, from a savepoint: never a duplicate, never lost.
    """
    table = connection.ops.quote_name(BrowsingEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in EVENT_COLUMNS)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            seen: set = set()
            fresh = [row for row in rows if not (row[0] in seen or seen.add(row[0]))]  # first row of each event_id
            try:
                with transaction.atomic(), cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in fresh:
                        copy.write_row(row)
                return len(fresh)
            except psycopg.errors.UniqueViolation:
                pass
            arrays = ", ".join(f"%s::{kind}[]" for kind in _EVENT_PG_TYPES)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "
                f"ON CONFLICT (event_id) DO NOTHING RETURNING 1",
                [list(column) for column in zip(*fresh, strict=True)],
            )
            return len(cursor.fetchall())
        # SQLite: multi-row VALUES in chunks under its parameter limit, values adapted by Django's fields.
        field_by_column = {f.column: f for f in BrowsingEvent._meta.concrete_fields}
        placeholder = "(" + ", ".join(["%s"] * len(EVENT_COLUMNS)) + ")"
        accepted = 0
        for start in range(0, len(rows), 500):
            chunk = [
                tuple(
                    field_by_column[c].get_db_prep_value(v, connection) if v is not None else None
                    for c, v in zip(EVENT_COLUMNS, row, strict=True)
                )
                for row in rows[start : start + 500]
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "
                f"ON CONFLICT (event_id) DO NOTHING RETURNING 1",
                [v for row in chunk for v in row],
            )
            accepted += len(cursor.fetchall())
    return accepted


def _wishlists_rebuild(*, customer_ids: list[int], skus: set[str] | None) -> None:
    """Wishlist = the last wishlist_add/remove event per (customer, SKU): replaying in time order is order-safe."""
    if not customer_ids:
        return
    events = BrowsingEvent.objects.filter(customer_id__in=customer_ids, type__in=_WISHLIST_TYPES).exclude(sku="")
    if skus is not None:
        events = events.filter(sku__any=list(skus))
    latest: dict[tuple[int, str], tuple] = {}
    for customer_id, sku, kind, occurred_at, product_id in events.order_by("occurred_at", "id").values_list(
        "customer_id", "sku", "type", "occurred_at", "product_id"
    ):
        latest[(customer_id, sku)] = (kind, occurred_at, product_id)
    removed = [key for key, (kind, _at, _p) in latest.items() if kind == EventType.WISHLIST_REMOVE]
    if removed:
        condition = Q()
        for customer_id, sku in removed:
            condition |= Q(customer_id=customer_id, sku=sku)
        WishlistItem.objects.filter(condition).delete()
    added = [
        WishlistItem(customer_id=c, sku=s, product_id=p, added_at=at)
        for (c, s), (kind, at, p) in latest.items()
        if kind == EventType.WISHLIST_ADD
    ]
    WishlistItem.objects.bulk_create(added, ignore_conflicts=True)


# -- carts ------------------------------------------------------------------------------------------------


class CartLineIn(msgspec.Struct):
    sku: text(64)
    quantity: PositiveQuantity
    unit_price: Money


class CartIn(msgspec.Struct):
    status: Literal["active", "ordered", "abandoned"]
    updated_at: Timestamp
    currency: Currency
    lines: list[CartLineIn]
    customer_external_id: text(64, required=False) | None = None
    session_id: text(100, required=False) | None = None


@transaction.atomic
def cart_replace(*, cart_id: str, item: CartIn) -> Counts:
    """Replace the cart snapshot; a snapshot older than the stored one is ignored."""
    checker = Checker()
    checker.currency(None, "currency", item.currency)
    if not cart_id or len(cart_id) > 100:
        checker.add(None, "cart_id", "A cart id has 1 to 100 characters.")
    checker.raise_if_any()
    customers = _known_customers({item.customer_external_id} if item.customer_external_id else set())
    products = _known_products({line.sku for line in item.lines})
    values = {
        "customer_id": customers.get(item.customer_external_id or ""),
        "customer_external_id": item.customer_external_id or "",
        "session_id": item.session_id or "",
        "status": item.status,
        "currency": item.currency,
        "source_updated_at": item.updated_at,
    }
    cart = Cart.objects.select_for_update().filter(cart_id=cart_id).first()
    if cart is None:
        cart, created = Cart.objects.get_or_create(cart_id=cart_id, defaults=values)
        if not created:
            cart = Cart.objects.select_for_update().get(pk=cart.pk)
    else:
        created = False
    if not created:
        if item.updated_at < cart.source_updated_at:
            return Counts(ignored=1)
        Cart.objects.filter(pk=cart.pk).update(**values)
        CartLine.objects.filter(cart=cart).delete()
    CartLine.objects.bulk_create(
        [
            CartLine(
                cart=cart,
                sku=line.sku,
                product_id=products.get(line.sku),
                quantity=line.quantity,
                unit_price=Decimal(line.unit_price),
            )
            for line in item.lines
        ]
    )
    return Counts(created=1) if created else Counts(updated=1)


# -- visits -----------------------------------------------------------------------------------------------


class VisitIn(msgspec.Struct):
    store: text(32, description="Code of a store (not a warehouse).")
    seen_at: Timestamp
    source: Literal["wifi", "app", "loyalty_scan"]
    customer_external_id: text(64, required=False) | None = None
    loyalty_number: text(32, required=False) | None = None


def stores_by_code(codes: set[str]) -> dict[str, int]:
    return dict(Location.objects.filter(code__in=codes, kind=LocationKind.STORE).values_list("code", "id"))


def customers_by_loyalty(numbers: set[str]) -> dict[str, tuple[int, str]]:
    if not numbers:
        return {}
    return {
        number: (pk, external_id or "")
        for number, pk, external_id in Customer.objects.filter(loyalty_number__any=numbers, erased_at=None).values_list(
            "loyalty_number", "id", "external_id"
        )
    }


@transaction.atomic
def visits_record(*, items: list[VisitIn]) -> Counts:
    """Who is in the store. A visit by a customer not known yet keeps the external id and is linked later."""
    checker = Checker()
    stores = stores_by_code({v.store for v in items})
    for index, visit in enumerate(items):
        if visit.store not in stores:
            checker.add(index, "store", f"Unknown store '{visit.store}'.")
    checker.raise_if_any()
    customers = _known_customers({v.customer_external_id for v in items if v.customer_external_id})
    by_loyalty = customers_by_loyalty({v.loyalty_number for v in items if v.loyalty_number})
    rows = []
    for visit in items:
        customer_id = customers.get(visit.customer_external_id or "")
        external_id = visit.customer_external_id or ""
        if customer_id is None and visit.loyalty_number in by_loyalty:
            customer_id, found_external = by_loyalty[visit.loyalty_number]
            external_id = external_id or found_external
        rows.append(
            Visit(
                store_id=stores[visit.store],
                customer_id=customer_id,
                customer_external_id=external_id,
                loyalty_number=visit.loyalty_number or "",
                seen_at=visit.seen_at,
                source=visit.source,
            )
        )
    Visit.objects.bulk_create(rows, batch_size=2000)
    return Counts(created=len(rows))
