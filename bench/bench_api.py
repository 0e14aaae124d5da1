"""Integration API figures (issue #3): events in, customers upserted, availability out — each beside raw PostgreSQL.

- validation of one 5,000-event batch: DRF serializers vs msgspec (in-process, no HTTP, no database);
- events/s through POST /api/v1/events/ (5,000 per batch) vs COPY of equivalent rows into the same table,
  from one client and from two clients at once (two COPYs at once for the raw figure);
- customers upserted/s through POST /api/v1/customers/ (1,000 per batch) vs COPY + INSERT … ON CONFLICT;
- GET /api/v1/availability/ p50/p95 for the SKU stocked at the most locations vs its raw SQL.
"""

from __future__ import annotations

import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import count

import requests

from bench.core import BenchContext, BenchError

EVENT_BATCH = 5000
CUSTOMER_BATCH = 1000
TYPES = ["product_view"] * 14 + ["add_to_cart", "remove_from_cart", "wishlist_add", "search"]


def _fixtures(limit: int = 5000) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    from clienteling.models import Customer
    from inventory.models import Product

    customers = list(Customer.objects.filter(erased_at=None).order_by("id").values_list("id", "external_id")[:limit])
    products = list(Product.objects.order_by("id").values_list("id", "sku")[:limit])
    if not customers or not products:
        raise BenchError("bench_api needs customers and products: run seed_demo first")
    return customers, products


def _events(rng: random.Random, customers, products, n: int) -> list[dict]:
    now = datetime.now(UTC)
    events = []
    for _ in range(n):
        kind = rng.choice(TYPES)
        customer = rng.choice(customers) if rng.random() < 0.6 else None
        event = {
            "event_id": str(uuid.uuid4()),
            "type": kind,
            "occurred_at": (now - timedelta(seconds=rng.randrange(86_400))).isoformat(),
            "session_id": f"bench-{rng.randrange(10**9)}",
            "channel": rng.choice(("web", "app")),
            "device": "bench",
        }
        if customer:
            event["customer_external_id"] = customer[1]
        if kind == "search":
            event["query"] = "giacca lana"
        else:
            event["sku"] = rng.choice(products)[1]
            if kind == "add_to_cart":
                event["quantity"] = 1
        events.append(event)
    return events


def _copy_rows(events: list[dict], customers_by_external: dict[str, int], products_by_sku: dict[str, int]):
    for e in events:
        yield (
            uuid.UUID(e["event_id"]),
            e["type"],
            datetime.fromisoformat(e["occurred_at"]),
            e["session_id"],
            customers_by_external.get(e.get("customer_external_id", "")),
            e.get("customer_external_id", ""),
            products_by_sku.get(e.get("sku", "")),
            e.get("sku", ""),
            e.get("quantity"),
            e.get("query", ""),
            e["channel"],
            e["device"],
        )


def bench_validation(ctx: BenchContext, rng: random.Random, customers, products) -> None:
    from bench.drf_events import EventBatchSerializer
    from clienteling.ingest import EventIn
    from omniportal.api_batch import decode_batch

    body = json.dumps({"events": _events(rng, customers, products, EVENT_BATCH)}).encode()

    def drf() -> None:
        serializer = EventBatchSerializer(data=json.loads(body))
        if not serializer.is_valid():
            raise BenchError(f"DRF refused the batch: {str(serializer.errors)[:200]}")

    def fast() -> None:
        decode_batch(body, "events", EventIn, max_items=EVENT_BATCH)

    n = ctx.repeat(20)
    ctx.measure("validate 5,000 events · DRF serializers", drf, n, items=EVENT_BATCH)
    ctx.measure("validate 5,000 events · msgspec (kept)", fast, n, items=EVENT_BATCH)


def bench_events(ctx: BenchContext, rng: random.Random, customers, products) -> None:
    n = ctx.repeat(30)
    warmup = 2
    bodies = iter(
        [json.dumps({"events": _events(rng, customers, products, EVENT_BATCH)}).encode() for _ in range(n + warmup)]
    )
    raw_batches = iter([_events(rng, customers, products, EVENT_BATCH) for _ in range(n + warmup)])
    customers_by_external = {external: pk for pk, external in customers}
    products_by_sku = {sku: pk for pk, sku in products}
    url = ctx.url("/api/v1/events/")

    def post_batch() -> None:
        response = ctx.check(ctx.http.post(url, data=next(bodies)))
        if response.json()["accepted"] != EVENT_BATCH:
            raise BenchError(f"expected {EVENT_BATCH} accepted, got {response.text}")

    def copy_batch(cursor) -> None:
        # The raw figure: PostgreSQL's COPY of the same kind of rows into the same indexed table, with the
        # very columns the API's insert writes.
        from clienteling.ingest import EVENT_COLUMNS

        sql = f"COPY clienteling_browsingevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for row in _copy_rows(next(raw_batches), customers_by_external, products_by_sku):
                copy.write_row(row)

    ctx.measure(
        "POST /events/ 5,000/batch (events/s) · COPY",
        post_batch,
        n,
        raw_sql=copy_batch,
        items=EVENT_BATCH,
        warmup=warmup,
        target="≥ 25,000/s and ≥ 30% of COPY",
    )


def bench_events_concurrent(ctx: BenchContext, rng: random.Random, customers, products, clients: int = 2) -> None:
    """The same batches from `clients` integrations at once, against `clients` COPYs at once.

    An e-commerce site feeding events runs more than one sender; the machine has 2 cores and gunicorn 3
    workers. Each measured call is `clients` batches posted together (items = clients × 5,000); the raw
    figure is `clients` COPYs of the same rows on their own connections at the same time.
    """
    import psycopg
    from django.db import connection

    from clienteling.ingest import EVENT_COLUMNS

    n = ctx.repeat(15)
    warmup = 2
    bodies = iter(
        [
            json.dumps({"events": _events(rng, customers, products, EVENT_BATCH)}).encode()
            for _ in range((n + warmup) * clients)
        ]
    )
    raw_batches = iter([_events(rng, customers, products, EVENT_BATCH) for _ in range((n + warmup) * clients)])
    customers_by_external = {external: pk for pk, external in customers}
    products_by_sku = {sku: pk for pk, sku in products}
    url = ctx.url("/api/v1/events/")
    senders = []
    for _ in range(clients):
        sender = requests.Session()
        sender.headers.update(ctx.api_headers)
        senders.append(sender)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    copiers = [psycopg.connect(**params, autocommit=True) for _ in range(clients)]
    sql = f"COPY clienteling_browsingevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN"

    def post(sender: requests.Session, body: bytes) -> None:
        response = ctx.check(sender.post(url, data=body))
        if response.json()["accepted"] != EVENT_BATCH:
            raise BenchError(f"expected {EVENT_BATCH} accepted, got {response.text}")

    def copy(copier, events: list[dict]) -> None:
        with copier.cursor() as cursor, cursor.copy(sql) as stream:
            for row in _copy_rows(events, customers_by_external, products_by_sku):
                stream.write_row(row)

    with ThreadPoolExecutor(clients) as pool:

        def post_together() -> None:
            work = [pool.submit(post, sender, next(bodies)) for sender in senders]
            for done in work:
                done.result()

        def copy_together(_cursor) -> None:
            work = [pool.submit(copy, copier, next(raw_batches)) for copier in copiers]
            for done in work:
                done.result()

        ctx.measure(
            f"POST /events/ {clients} clients × 5,000 (events/s) · {clients} COPYs",
            post_together,
            n,
            raw_sql=copy_together,
            items=EVENT_BATCH * clients,
            warmup=warmup,
            target="≥ 25,000/s and ≥ 30% of COPY",
        )
    for copier in copiers:
        copier.close()


def _customer(rng: random.Random, external_id: str, stamp: datetime) -> dict:
    lat, lon = 41.0 + rng.random() * 5, 8.0 + rng.random() * 8
    return {
        "external_id": external_id,
        "first_name": rng.choice(["Giulia", "Marco", "Élodie", "Luca", "Sofia"]),
        "last_name": rng.choice(["Bianchi", "Rossi", "Müller", "Esposito", "Ricci"]),
        "email": f"{external_id.lower()}@example.com",
        "phone": f"+39 347 {rng.randrange(10**6, 10**7)}",
        "address": {
            "line1": "Via Roma 1",
            "city": "Milano",
            "postal_code": "20121",
            "country": "IT",
            "lat": lat,
            "lon": lon,
        },
        "consent": {"clienteling": True, "marketing": rng.random() < 0.5},
        "updated_at": stamp.isoformat(),
    }


def bench_customers(ctx: BenchContext, rng: random.Random, customers) -> None:
    n = ctx.repeat(20)
    warmup = 2
    from django.db.models import Max

    from clienteling.models import Customer

    # Newer than any stored snapshot (seeded or left by an earlier run): every row of every batch is applied.
    newest = Customer.objects.aggregate(newest=Max("source_updated_at"))["newest"] or datetime.now(UTC)
    stamp = max(newest, datetime.now(UTC)) + timedelta(days=1)
    tick = count()
    external_ids = [external for _pk, external in customers]

    def batch() -> list[dict]:
        # Half updates of existing customers, half new ones: an e-commerce site's nightly delta.
        chosen = rng.sample(external_ids, CUSTOMER_BATCH // 2)
        fresh = [f"BENCH-{uuid.uuid4().hex[:16]}" for _ in range(CUSTOMER_BATCH // 2)]
        moment = stamp + timedelta(seconds=next(tick))
        return [_customer(rng, external_id, moment) for external_id in chosen + fresh]

    bodies = iter([json.dumps({"customers": batch()}).encode() for _ in range(n + warmup)])
    raw_batches = iter([batch() for _ in range(n + warmup)])
    url = ctx.url("/api/v1/customers/")

    def post_batch() -> None:
        counts = ctx.check(ctx.http.post(url, data=next(bodies))).json()
        if counts["created"] + counts["updated"] != CUSTOMER_BATCH:
            raise BenchError(f"expected {CUSTOMER_BATCH} upserted, got {counts}")

    def raw_upsert(cursor) -> None:
        rows = next(raw_batches)
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_customer_in (external_id text, first_name text, last_name text, "
            "email text, phone text, lat float8, lon float8, consent_clienteling bool, consent_marketing bool, "
            "source_updated_at timestamptz) ON COMMIT DELETE ROWS"
        )
        with cursor.copy("COPY bench_customer_in FROM STDIN") as copy:
            for c in rows:
                copy.write_row(
                    (
                        c["external_id"],
                        c["first_name"],
                        c["last_name"],
                        c["email"],
                        c["phone"].replace(" ", ""),
                        c["address"]["lat"],
                        c["address"]["lon"],
                        c["consent"]["clienteling"],
                        c["consent"]["marketing"],
                        c["updated_at"],
                    )
                )
        cursor.execute(
            "INSERT INTO clienteling_customer (external_id, first_name, last_name, email, phone, phone_digits, "
            "search_name, address_line1, address_line2, city, postal_code, country, lat, lon, consent_clienteling, "
            "consent_marketing, sizes, preferences, source_updated_at, created_at, loyalty_tier) "
            "SELECT external_id, first_name, last_name, email, phone, regexp_replace(phone, '\\D', '', 'g'), "
            "lower(first_name || ' ' || last_name), '', '', '', '', 'IT', lat, lon, consent_clienteling, "
            "consent_marketing, '{}', '{}', source_updated_at, now(), '' FROM bench_customer_in "
            "ON CONFLICT (external_id) DO UPDATE SET first_name = EXCLUDED.first_name, "
            "last_name = EXCLUDED.last_name, email = EXCLUDED.email, phone = EXCLUDED.phone, "
            "phone_digits = EXCLUDED.phone_digits, search_name = EXCLUDED.search_name, lat = EXCLUDED.lat, "
            "lon = EXCLUDED.lon, consent_clienteling = EXCLUDED.consent_clienteling, "
            "consent_marketing = EXCLUDED.consent_marketing, source_updated_at = EXCLUDED.source_updated_at "
            "WHERE clienteling_customer.source_updated_at IS NULL "
            "OR clienteling_customer.source_updated_at <= EXCLUDED.source_updated_at"
        )

    ctx.measure(
        "POST /customers/ 1,000/batch (customers/s) · COPY+upsert",
        post_batch,
        n,
        raw_sql=raw_upsert,
        items=CUSTOMER_BATCH,
        warmup=warmup,
        target="≥ 5,000/s",
    )


def bench_availability(ctx: BenchContext, rng: random.Random) -> None:
    from django.db.models import Count

    from inventory.api import availability_nearest
    from inventory.models import Product, StockLevel

    busiest = StockLevel.objects.values("product_id").annotate(n=Count("id")).order_by("-n", "product_id").first()
    if busiest is None:
        raise BenchError("no stock rows: run seed_demo first")
    product = Product.objects.get(pk=busiest["product_id"])
    ctx.note("availability SKU", product.sku, stock_rows=busiest["n"])
    n = ctx.repeat(500)
    points = [(36.5 + rng.random() * 10.5, 6.7 + rng.random() * 11.8) for _ in range(n + 5)]
    api_points, raw_points = iter(points), iter(points)
    url = ctx.url("/api/v1/availability/")

    def get() -> None:
        lat, lon = next(api_points)
        ctx.check(ctx.http.get(url, params={"sku": product.sku, "lat": lat, "lon": lon, "limit": 500}))

    from django.db import connection

    def raw(cursor) -> None:
        lat, lon = next(raw_points)
        queryset = availability_nearest(product=product, point=(lat, lon), limit=500)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        cursor.execute(sql, params)
        cursor.fetchall()

    ctx.measure(
        f"GET /availability/ ({busiest['n']} locations) · raw SQL",
        get,
        n,
        raw_sql=raw,
        target="p95 ≤ 15 ms and ≤ 3× raw",
        warmup=5,
    )

    stores_url = ctx.url("/api/v1/stores/")
    store_points = iter(points)

    def stores() -> None:
        lat, lon = next(store_points)
        ctx.check(ctx.http.get(stores_url, params={"lat": lat, "lon": lon}))

    ctx.measure("GET /stores/ (nearest first, page 1)", stores, ctx.repeat(200), warmup=5)


def run(ctx: BenchContext) -> None:
    rng = random.Random(3)
    customers, products = _fixtures()
    ctx.note("fixtures", customers=len(customers), products=len(products))
    bench_validation(ctx, rng, customers, products)
    bench_events(ctx, rng, customers, products)
    bench_events_concurrent(ctx, rng, customers, products)
    bench_customers(ctx, rng, customers)
    bench_availability(ctx, rng)
