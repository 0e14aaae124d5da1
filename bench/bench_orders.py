"""Network inventory and endless-aisle orders (SPEC 2.2, 2.3), against raw SQL of the same work in the same run.

Targets (issue 5): `/inventory/{sku}/` p95 ≤ 20 ms and ≤ 3× raw SQL (the raw SQL is the view's one query: the
database sorts every location's row by distance, totals them and returns the nearest 25); reservations on one
hot SKU from concurrent clients ≥ 500/s with zero oversell; placing a 3-line endless-aisle order p95 ≤ 50 ms.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

CLIENTS = 8

RESERVE_SQL = (
    "UPDATE inventory_stocklevel SET reserved = reserved + 1 WHERE id = %s AND on_hand >= reserved + safety_stock + 1"
)


def _busiest_product():
    from django.db.models import Count

    from inventory.models import Product

    return Product.objects.annotate(n=Count("stock_levels")).order_by("-n", "pk").first()


def _hot_stock(store, on_hand: int):
    """A dedicated bench product held only at `store`, reset to `on_hand` units and nothing reserved."""
    from django.utils import timezone

    from inventory.models import Category, Product, StockLevel

    category = Category.objects.order_by("pk").first() or Category.objects.create(code="bench", name="Bench")
    product, _ = Product.objects.get_or_create(
        sku="BENCH-HOT-1",
        defaults={"name": "Bench hot item", "category": category, "price": "10.00", "search_text": "bench-hot-1"},
    )
    stock, _ = StockLevel.objects.update_or_create(
        product=product,
        location=store,
        defaults={"on_hand": on_hand, "reserved": 0, "safety_stock": 0, "as_of": timezone.now()},
    )
    return stock


def _reserve_many(args: tuple[int, int, str, int]) -> int:
    """In a client process: `count` reservations of 1 unit, one after the other, each its own transaction."""
    from inventory.services import StockLine, stock_reserve

    location_id, product_id, prefix, count = args
    line = StockLine(location_id, product_id, 1, "BENCH-HOT-1")
    for n in range(count):
        stock_reserve(lines=[line], reference=f"{prefix}-{n}")
    return count


def _client_processes():
    """CLIENTS forked processes, each opening its own database connection: clients as deployed (gunicorn
    workers, API callers) rather than threads of one process, which share one interpreter lock."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a child must not inherit, and later close, the parent's connection
    return multiprocessing.get_context("fork").Pool(CLIENTS)


def _in_threads(work, calls: int) -> list:
    """Run `work(i)` for i in range(calls) on CLIENTS threads; each thread has its own database connection."""
    from django.db import connections

    barrier = threading.Barrier(CLIENTS)

    def close(_):
        connections.close_all()
        barrier.wait(timeout=30)  # one close per worker thread, not one thread closing eight times

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(work, range(calls)))
        list(pool.map(close, range(CLIENTS)))
    return results


def run(ctx) -> None:
    from django.db import connection

    from bench.core import BenchError, Measurement, Timing
    from inventory.models import StockLevel
    from inventory.selectors import availability_rows
    from inventory.services import InsufficientStock, StockLine, stock_reserve
    from inventory.views import NEAREST_SHOWN
    from omniportal.models import Location, LocationKind

    store = Location.objects.filter(code="MI01").first() or Location.objects.filter(kind=LocationKind.STORE).first()
    if store is None:
        raise BenchError("no store in the bench data")
    session = ctx.login("anna_milano", store_code=store.code)

    # 1. Network availability of the SKU held at the most locations. The page shows this store and the nearest
    # ones, NEAREST_SHOWN rows in all, with totals over every location; the database sorts by distance, cuts
    # and totals in one query. The raw figure is that very query, compiled from the selector the view calls,
    # so the two cannot drift apart.
    product = _busiest_product()
    rows = StockLevel.objects.filter(product=product).count()
    ctx.note("inventory detail", f"SKU {product.sku} held at {rows} locations")

    def page_sql(limit: int | None) -> tuple[str, Any]:
        query = availability_rows(product=product, origin=store, limit=limit).query
        return query.get_compiler(connection=connection).as_sql()

    detail_url = ctx.url(f"/inventory/{product.sku}/")
    ctx.measure(
        f"GET /inventory/{{sku}}/ (page: nearest {NEAREST_SHOWN} of {rows}) · raw SQL: the view's query",
        lambda: ctx.check(session.get(detail_url)),
        ctx.repeat(200),
        raw_sql=page_sql(NEAREST_SHOWN),
        target="p95 ≤ 20 ms, ≤ 3× raw",
    )
    ctx.measure(
        f"GET /inventory/{{sku}}/?all=1 (page: all {rows} locations) · raw SQL: the view's query",
        lambda: ctx.check(session.get(detail_url, params={"all": "1"})),
        ctx.repeat(50),
        raw_sql=page_sql(None),
    )

    # 2. Reservations on one hot SKU: the reservation service from CLIENTS client processes at once, and (no
    # target) from CLIENTS threads of this process, where one interpreter lock serialises their Python.
    calls_per_round = 200
    stock = _hot_stock(store, on_hand=10_000_000)
    line = StockLine(store.pk, stock.product_id, 1, stock.product.sku)
    round_no = [0]

    def raw_reserve(cursor):
        for _ in range(calls_per_round):
            cursor.execute(RESERVE_SQL, [stock.pk])

    per_client = calls_per_round // CLIENTS
    with _client_processes() as clients:

        def reserve_round_processes():
            round_no[0] += 1
            work = [(store.pk, stock.product_id, f"bench-{round_no[0]}-{k}", per_client) for k in range(CLIENTS)]
            clients.map_async(_reserve_many, work).get(timeout=120)  # a dead client fails the row, not the run

        ctx.measure(
            f"reserve 1 unit of one hot SKU ({CLIENTS} concurrent client processes, service)",
            reserve_round_processes,
            max(3, ctx.repeat(20)),
            raw_sql=raw_reserve,
            items=per_client * CLIENTS,
            target="≥ 500 reservations/s",
        )

    def reserve_round_threads():
        round_no[0] += 1
        prefix = f"bench-{round_no[0]}"
        _in_threads(lambda i: stock_reserve(lines=[line], reference=f"{prefix}-{i}"), calls_per_round)

    ctx.measure(
        f"reserve 1 unit of one hot SKU ({CLIENTS} threads of one process, service)",
        reserve_round_threads,
        max(3, ctx.repeat(20)),
        raw_sql=raw_reserve,
        items=calls_per_round,
    )
    stock.refresh_from_db()
    ctx.note("hot SKU after the rounds", on_hand=stock.on_hand, reserved=stock.reserved)

    # Zero oversell: 50 units left, 400 concurrent attempts.
    last = _hot_stock(store, on_hand=50)
    last_line = StockLine(store.pk, last.product_id, 1, last.product.sku)

    def attempt(i: int) -> bool:
        try:
            stock_reserve(lines=[last_line], reference=f"last-{i}")
        except InsufficientStock:
            return False
        return True

    won = sum(_in_threads(attempt, 400))
    last.refresh_from_db()
    if won != 50 or last.reserved != 50:
        raise BenchError(f"oversell check failed: {won} reservations succeeded, reserved={last.reserved}")
    ctx.note("zero oversell", "400 concurrent attempts on 50 units", succeeded=won, reserved=last.reserved)

    # The same through the HTTP API: concurrent online orders with a sourced line.
    _hot_stock(store, on_hand=10_000_000)
    api_round = [0]

    def api_order(i: int):
        payload = {
            "external_id": f"BENCH-{time.time_ns()}-{i}",
            "channel": "web",
            "placed_at": "2026-11-23T10:00:00+01:00",
            "currency": "EUR",
            "lines": [{"sku": "BENCH-HOT-1", "quantity": 1, "unit_price": "10.00", "source": store.code}],
            "delivery": {"method": "pickup", "pickup_store": store.code},
        }
        return ctx.check(ctx.http.post(ctx.url("/api/v1/orders/"), json=payload), 201)

    def api_round_fn():
        api_round[0] += 1
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(api_order, range(50)))

    ctx.measure(
        f"POST /api/v1/orders/ with a sourced line ({CLIENTS} concurrent clients)",
        api_round_fn,
        max(3, ctx.repeat(10)),
        items=50,
    )

    # 3. Placing a 3-line endless-aisle order: POST /orders/basket/place/ on a basket built beforehand.
    _place_three_lines(ctx, session, store, Measurement, Timing)


def _place_three_lines(ctx, session, store, Measurement, Timing) -> None:
    from django.db import transaction
    from django.utils import timezone

    from clienteling.models import Customer
    from inventory.models import Category, Product, StockLevel
    from omniportal.models import StaffProfile
    from orders.models import Basket, BasketLine, BasketStatus

    category = Category.objects.order_by("pk").first()
    products = []
    for n in range(3):
        product, _ = Product.objects.get_or_create(
            sku=f"BENCH-EA-{n}",
            defaults={
                "name": f"Bench line {n}",
                "category": category,
                "price": "25.00",
                "search_text": f"bench-ea-{n}",
            },
        )
        StockLevel.objects.update_or_create(
            product=product,
            location=store,
            defaults={"on_hand": 10_000_000, "reserved": 0, "safety_stock": 0, "as_of": timezone.now()},
        )
        products.append(product)
    customer = Customer.objects.filter(erased_at__isnull=True).exclude(address_line1="").order_by("pk").first()
    actor = StaffProfile.objects.select_related("user").get(user__username="anna_milano").user
    place_url = ctx.url("/orders/basket/place/")
    form = {
        "customer": customer.pk,
        "name": "Bench",
        "line1": customer.address_line1,
        "city": customer.city,
        "postal_code": customer.postal_code or "20121",
        "country": customer.country or "IT",
        "till_receipt": "BENCH",
    }
    samples, server_samples = [], []
    n = ctx.repeat(100)
    error = None
    for i in range(n + 2):
        Basket.objects.filter(customer=customer, store=store, status=BasketStatus.OPEN).update(
            status=BasketStatus.ABANDONED
        )
        basket = Basket.objects.create(customer=customer, store=store, created_by=actor)
        BasketLine.objects.bulk_create(BasketLine(basket=basket, product=p, quantity=1) for p in products)
        ctx._server_ms.clear()
        started = time.perf_counter()
        response = session.post(place_url, data=form, allow_redirects=False)
        elapsed = time.perf_counter() - started
        if response.status_code != 302:
            error = f"place → {response.status_code}: {response.text[:200]}"
            break
        if i >= 2:  # two warm-up calls
            samples.append(elapsed)
            server_samples.extend(ms / 1000 for ms in ctx._server_ms)

    def raw_place(cursor):
        # The writes of a 3-line placement, as plain SQL, rolled back: 3 conditional UPDATEs + 3 movements.
        with transaction.atomic():
            for product in products:
                cursor.execute(
                    "UPDATE inventory_stocklevel SET reserved = reserved + 1 WHERE product_id = %s AND location_id = %s "
                    "AND on_hand >= reserved + safety_stock + 1 RETURNING id",
                    [product.pk, store.pk],
                )
                stock_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO inventory_stockmovement (stock_id, kind, on_hand_delta, reserved_delta, occurred_at, "
                    "reference, created_at) VALUES (%s, 'reserve', 0, 1, now(), 'raw', now())",
                    [stock_id],
                )
            transaction.set_rollback(True)

    measurement = Measurement(
        name="POST place a 3-line endless-aisle order (page)",
        module=ctx.module,
        items_per_call=1,
        target="p95 ≤ 50 ms",
        error=error,
    )
    if samples:
        measurement.api = Timing.from_samples(samples, 1)
        if len(server_samples) == len(samples):
            measurement.server = Timing.from_samples(server_samples, 1)
        raw_samples = []
        with ctx.cursor() as cursor:
            for _ in range(len(samples)):
                started = time.perf_counter()
                raw_place(cursor)
                raw_samples.append(time.perf_counter() - started)
        measurement.raw = Timing.from_samples(raw_samples, 1)
    ctx.measurements.append(measurement)
