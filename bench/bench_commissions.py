"""Commission crediting (SPEC 2.5), against raw SQL of the same work in the same run.

Targets (issue 6, 500 stores, PostgreSQL, one worker process):
- nearest-store choice ≤ 50 µs per order (in-process index vs brute force vs an SQL ORDER BY distance);
- crediting throughput ≥ 1,000 orders/s sustained: the sweep path (`commissions_credit_orders`, batches of
  1,000, what one worker's beat sweep runs), against a raw INSERT … SELECT of the same entries.

The crediting runs inside one transaction that is rolled back at the end: the ledger is append-only
(entries can never be deleted), so the bench must not leave its orders and entries in the database.
Every measured call does the full work (reads, nearest store, amounts, statements, inserts); only the
final commit is missing.
"""

from __future__ import annotations

import random
from decimal import Decimal

BATCH = 1000
POINTS_PER_CALL = 100

NEAREST_SQL = (
    "SELECT id, code, 2 * 6371.0088 * asin(least(1, sqrt(power(sin(radians(lat - %s) / 2), 2) "
    "+ cos(radians(%s)) * cos(radians(lat)) * power(sin(radians(lon - %s) / 2), 2)))) AS km "
    "FROM inventory_location WHERE kind = 'store' AND active AND commission_eligible ORDER BY km, code LIMIT 1"
)


def _points(stores, count: int, seed: int) -> list[tuple[float, float]]:
    """Delivery points spread over the stores' own area (where customers live)."""
    rng = random.Random(seed)
    lats = [s.lat for s in stores]
    lons = [s.lon for s in stores]
    return [(rng.uniform(min(lats), max(lats)), rng.uniform(min(lons), max(lons))) for _ in range(count)]


def _nearest(ctx, stores) -> None:
    from inventory.nearest import store_index
    from omniportal.geo import haversine_km

    index = store_index(commission_eligible=True)
    points = _points(stores, 20_000, seed=6)
    for lat, lon in points:  # warm every cell the measured calls will use (a long-running worker is warm)
        index.nearest_entry(lat, lon)
    ctx.note("nearest store index", stores=len(index), warmed_cells=len(index._fine))
    chunks = iter([points[i : i + POINTS_PER_CALL] for i in range(0, len(points), POINTS_PER_CALL)] * 50)

    def indexed() -> None:
        for lat, lon in next(chunks):
            index.nearest(lat, lon)

    brute_points = iter(points * 2)

    def brute_force() -> None:
        lat, lon = next(brute_points)
        min((haversine_km(lat, lon, s.lat, s.lon), s.code) for s in stores)

    raw_chunks = iter([points[i : i + POINTS_PER_CALL] for i in range(0, len(points), POINTS_PER_CALL)] * 5)

    def raw(cursor) -> None:
        for lat, lon in next(raw_chunks):
            cursor.execute(NEAREST_SQL, [lat, lat, lon])
            cursor.fetchone()

    ctx.measure(
        f"nearest store, {POINTS_PER_CALL} orders per call: in-process index vs SQL ORDER BY distance",
        indexed,
        ctx.repeat(40),
        items=POINTS_PER_CALL,
        raw_sql=raw,
        target="≤ 50 µs per order (p50 ÷ 100)",
    )
    ctx.measure("nearest store, 1 order per call: Python brute force over every store", brute_force, ctx.repeat(200))


def _homes(stores, count: int, seed: int) -> list[tuple[float, float]]:
    """Customers' homes: around the stores (about 15 km), as in the seeded data and in life."""
    rng = random.Random(seed)
    homes = []
    for _ in range(count):
        store = rng.choice(stores)
        homes.append(
            (max(-90.0, min(90.0, rng.gauss(store.lat, 0.15))), ((rng.gauss(store.lon, 0.2) + 180) % 360) - 180)
        )
    return homes


def _bench_orders(stores, count: int) -> list[int]:
    from django.utils import timezone

    from inventory.models import Category, Product
    from orders.models import LocationSource, Order, OrderLine

    category = Category.objects.order_by("pk").first() or Category.objects.create(code="bench", name="Bench")
    product, _ = Product.objects.get_or_create(
        sku="BENCH-COMMISSION-1",
        defaults={"name": "Bench commission item", "category": category, "price": "10.00", "search_text": "bench"},
    )
    now = timezone.now()
    token = random.Random().randrange(10**9)
    orders = Order.objects.bulk_create(
        Order(
            number=f"BC{token}-{i}",
            external_id=f"BENCH-COMMISSION-{token}-{i}",
            channel="web",
            placed_at=now,
            currency="EUR",
            delivery_method="home",
            delivery_lat=lat,
            delivery_lon=lon,
            location_source=LocationSource.GIVEN,
        )
        for i, (lat, lon) in enumerate(_homes(stores, count, seed=token))
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=product, sku=product.sku, quantity=2, unit_price=Decimal("24.95"))
        for order in orders
    )
    return [order.pk for order in orders]


def _crediting(ctx, stores) -> None:
    from django.db import transaction

    from orders.commissions.ledger import commissions_credit_orders
    from orders.models import CommissionCreditLine, CommissionEntry, EntryRole, commission_event_key

    calls = ctx.repeat(10)
    with transaction.atomic():
        order_ids = _bench_orders(stores, BATCH * (2 * calls + 4))
        batches = iter([order_ids[i : i + BATCH] for i in range(0, len(order_ids), BATCH)])

        def credit_batch() -> None:
            commissions_credit_orders(order_ids=next(batches))

        store_id = stores[0].pk
        policy_id = CommissionEntry._meta.get_field("policy").related_model.objects.order_by("pk").first().pk

        def raw(cursor) -> None:
            # The same rows written the plainest way: one INSERT … SELECT for the entries (beneficiary fixed, no
            # nearest search), one for the credited lines.
            ids = next(batches)
            cursor.execute(
                "INSERT INTO orders_commissionentry (order_id, store_id, kind, role, event_key, amount, base_amount, "
                "currency, period, distance_km, location_source, policy_id, rate, share, explanation, created_at) "
                "SELECT o.id, %s, 'credit', 'beneficiary', 'bench-raw', 2.50, 49.90, 'EUR', "
                "date_trunc('month', now())::date, 0, 'given', %s, 0.05, 1, '{}'::jsonb, now() "
                "FROM orders_order o WHERE o.id = ANY(%s) ON CONFLICT DO NOTHING",
                [store_id, policy_id, ids],
            )
            cursor.execute(
                "INSERT INTO orders_commissioncreditline (order_id, order_line_id, sku, quantity, net, rate) "
                "SELECT l.order_id, l.id, l.sku, l.quantity, l.quantity * l.unit_price - l.discount, 0.05 "
                "FROM orders_orderline l WHERE l.order_id = ANY(%s) ON CONFLICT DO NOTHING",
                [ids],
            )

        ctx.measure(
            f"commission crediting, batch of {BATCH} orders (sweep path, one process)",
            credit_batch,
            calls,
            items=BATCH,
            warmup=1,
            raw_sql=raw,
            target="≥ 1,000 orders/s",
        )
        # The service's credits only: the raw-SQL comparison's rows have their own event key.
        credits = CommissionEntry.objects.filter(
            order_id__in=order_ids, event_key=commission_event_key(role=EntryRole.BENEFICIARY, status_change_id=None)
        )
        credited = credits.count()
        lines = CommissionCreditLine.objects.filter(order_id__in=credits.values("order_id")).count()
        ctx.note(
            "commission crediting check", orders=len(order_ids), credit_entries_written=credited, credited_lines=lines
        )
        transaction.set_rollback(True)  # append-only ledger: leave nothing behind


def run(ctx) -> None:
    from omniportal.models import Location, LocationKind

    stores = list(Location.objects.filter(kind=LocationKind.STORE, active=True, commission_eligible=True))
    if not stores:
        ctx.note("commissions", "no commission-eligible store in the bench data: nothing to measure")
        return
    _nearest(ctx, stores)
    _crediting(ctx, stores)
