"""seed_demo's one entry point: `demo_seed(...)` loads a whole demo network in one transaction."""

from __future__ import annotations

import itertools
import multiprocessing
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from clienteling.models import BrowsingEvent, Cart, CartLine, Customer, FollowUpTask, Note, Visit, WishlistItem
from clienteling.services import followup_task_create
from inventory.models import Category, Product, StockLevel, StockMovement
from omniportal.models import Location, Role, StaffProfile
from omniportal.services import staff_user_create
from orders.models import Order, OrderLine, OrderStatusChange, Sale, SaleLine

from . import data
from .generate import (
    CART_COLUMNS,
    CART_LINE_COLUMNS,
    CATEGORY_COLUMNS,
    CUSTOMER_COLUMNS,
    EVENT_COLUMNS,
    LOCATION_COLUMNS,
    NOTE_COLUMNS,
    ORDER_COLUMNS,
    ORDER_LINE_COLUMNS,
    PRODUCT_COLUMNS,
    SALE_COLUMNS,
    SALE_LINE_COLUMNS,
    SCALES,
    STATUS_CHANGE_COLUMNS,
    VISIT_COLUMNS,
    WISHLIST_COLUMNS,
    ActivityGenerator,
    Chunk,
    Counters,
    Tables,
    build_locations,
    category_rows,
    location_rows,
    product_rows,
)  # fmt: skip
from .load import Loader, Progress, copy_text, event_copy_text

DEMO_PASSWORD = "omniportal-demo"
DEMO_PIN = "1234"
# username, role, stores, first name, last name
DEMO_PEOPLE = (
    ("anna_milano", Role.ASSOCIATE, ("MI01",), "Anna", "Colombo"),
    ("marco_milano", Role.MANAGER, ("MI01", "MI02"), "Marco", "Ferrari"),
    ("giulia_roma", Role.ASSOCIATE, ("RM01",), "Giulia", "Romano"),
    ("paolo_roma", Role.MANAGER, ("RM01", "RM02"), "Paolo", "Esposito"),
    ("helena_hq", Role.HEAD_OFFICE, (), "Helena", "Bauer"),
)

# Tables big enough at bench scale that building their plain indexes once, after the load, pays off.
DEFERRED_INDEX_MODELS = (BrowsingEvent, StockLevel, Customer, Cart, CartLine, Order, OrderLine, OrderStatusChange,
                         Sale, SaleLine, Visit, WishlistItem)  # fmt: skip
SEQUENCE_MODELS = (Location, Category, Product, StockLevel, StockMovement, Customer, BrowsingEvent, Cart, CartLine,
                   WishlistItem, Visit, Order, OrderLine, OrderStatusChange, Sale, SaleLine, Note)  # fmt: skip


class DatabaseNotEmpty(Exception):
    pass


@dataclass
class SeedResult:
    scale: str
    seed: int
    anchor: datetime
    counts: dict[str, int] = field(default_factory=dict)
    people: tuple = DEMO_PEOPLE


def database_has_business_data() -> bool:
    """True when locations, products, customers, orders or sales exist: the demo only seeds an empty portal."""
    return any(m.objects.exists() for m in (Customer, Location, Product, Order, Sale))


def day_anchor(now: datetime) -> datetime:
    """History ends at today's midnight UTC: the demo stays fresh, and a (seed, day) always gives the same data."""
    now = now.astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def demo_seed(
    *, scale: str, seed: int, now: datetime, progress: Progress | None = None, workers: int = 1
) -> SeedResult:
    """Load the demo network. Raises DatabaseNotEmpty (and writes nothing) when business data already exists.

    `workers` > 1 generates the customers' activity in that many forked processes; the data is the same.
    """
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}.")
    progress = progress or Progress(tty=False)
    plan = SCALES[scale]
    anchor = day_anchor(now)
    result = SeedResult(scale=scale, seed=seed, anchor=anchor)
    with transaction.atomic():
        if database_has_business_data():
            raise DatabaseNotEmpty("The database already has locations, products, customers, orders or sales.")
        loader = Loader()
        first_ids = {
            "location": loader.next_id(Location), "category": loader.next_id(Category),
            "product": loader.next_id(Product), "customer": loader.next_id(Customer),
            "event": loader.next_id(BrowsingEvent), "cart": loader.next_id(Cart), "cart_line": loader.next_id(CartLine),
            "wishlist": loader.next_id(WishlistItem), "visit": loader.next_id(Visit), "order": loader.next_id(Order),
            "order_line": loader.next_id(OrderLine), "status_change": loader.next_id(OrderStatusChange),
            "sale": loader.next_id(Sale), "sale_line": loader.next_id(SaleLine), "note": loader.next_id(Note),
        }  # fmt: skip
        deferred = []
        if scale == "bench":
            deferred = loader.defer_indexes(DEFERRED_INDEX_MODELS) + loader.defer_foreign_keys(DEFERRED_INDEX_MODELS)

        progress.start("locations and catalogue")
        locations = build_locations(plan, random.Random(f"{seed}:locations"), first_ids["location"], anchor)
        loader.write(Location, LOCATION_COLUMNS, location_rows(locations, random.Random(f"{seed}:addr"), anchor))
        categories = category_rows(first_ids["category"])
        loader.write(Category, CATEGORY_COLUMNS, categories)
        products, catalogue = product_rows(
            plan, random.Random(f"{seed}:catalogue"), first_ids["product"], [c[0] for c in categories], anchor
        )
        loader.write(Product, PRODUCT_COLUMNS, products)
        result.counts.update(locations=len(locations), categories=len(categories), products=len(products))
        progress.finish("locations and catalogue", f"{len(locations):,} locations, {len(products):,} SKUs")

        progress.start("stock")
        stock_as_of = anchor - timedelta(hours=5)
        result.counts["stock levels"] = _fill_stock(loader, seed=seed, as_of=stock_as_of, skip=plan.stock_skip_percent)
        if plan.feed_movements:
            result.counts["stock movements"] = _feed_movements(loader, as_of=stock_as_of)
        progress.finish("stock", f"{result.counts['stock levels']:,} stock rows")

        progress.start("customers")
        generator = ActivityGenerator(
            scale=plan, seed=seed, anchor=anchor, now=now, locations=locations, catalogue=catalogue,
            first_ids=first_ids,
        )  # fmt: skip
        total = Counters()
        regulars: dict[int, list[tuple[int, str, str]]] = {}
        for chunk in generate_chunks(generator, workers=workers, as_copy_text=loader.postgres):
            _flush(loader, chunk.tables)
            _add_counts(total, chunk.count)
            for store_pk, people in chunk.regulars.items():
                mine = regulars.setdefault(store_pk, [])
                mine.extend(people[: max(0, REGULARS_PER_STORE - len(mine))])
            progress.update("customers", total.customers, plan.customers, f" · {total.events:,} events")
        now_in_store = generator.in_store_now(regulars)
        _flush(loader, now_in_store)
        total.visits += len(now_in_store.visits)
        result.counts.update(_counts(total))
        progress.finish(
            "customers",
            f"{total.customers:,} customers, {total.events:,} events, {total.orders:,} orders, {total.sales:,} sales"
            + (f" ({workers} worker processes)" if workers > 1 else ""),
        )

        progress.start("people, notes and tasks")
        users = _demo_people()
        result.counts["notes"], result.counts["tasks"] = _notes_and_tasks(
            loader, generator.stores, regulars, users, random.Random(f"{seed}:notes"), anchor, first_ids["note"]
        )
        progress.finish("people, notes and tasks", f"{len(users)} demo people")

        progress.start("indexes and sequences")
        restored = loader.restore_indexes() if deferred else 0
        loader.reset_sequences(SEQUENCE_MODELS)
        progress.finish("indexes and sequences", f"{restored} indexes and foreign keys rebuilt")
    if deferred:
        progress.start("vacuum and statistics")
        _vacuum_analyze(loader)
        progress.finish("vacuum and statistics", "visibility map and planner statistics of every table")
    return result


def _vacuum_analyze(loader: Loader) -> None:
    """After a bulk load, what autovacuum would do some time later, done now: VACUUM (ANALYZE).

    ANALYZE gives the planner its statistics before anyone queries tens of millions of rows; VACUUM sets the
    visibility map (index-only scans stop visiting the heap) and the rows' hint bits (the first reads stop
    writing). Without it, figures measured right after a load depend on whether the server's autovacuum has
    caught up, or runs at all. VACUUM cannot run inside a transaction: an outer one gets ANALYZE alone.
    """
    loader.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


# Each Tables field, its model and columns; parents before children, so the foreign keys hold at every step.
ACTIVITY_TABLES = (
    ("customers", Customer, CUSTOMER_COLUMNS), ("events", BrowsingEvent, EVENT_COLUMNS),
    ("carts", Cart, CART_COLUMNS), ("cart_lines", CartLine, CART_LINE_COLUMNS),
    ("wishlist", WishlistItem, WISHLIST_COLUMNS), ("orders", Order, ORDER_COLUMNS),
    ("order_lines", OrderLine, ORDER_LINE_COLUMNS), ("status_changes", OrderStatusChange, STATUS_CHANGE_COLUMNS),
    ("sales", Sale, SALE_COLUMNS), ("sale_lines", SaleLine, SALE_LINE_COLUMNS), ("visits", Visit, VISIT_COLUMNS),
)  # fmt: skip
REGULARS_PER_STORE = 12
_worker_generator: ActivityGenerator | None = None


def generate_chunks(generator: ActivityGenerator, *, workers: int, as_copy_text: bool) -> Iterator[Chunk]:
    """Every chunk of customers, in order; generated by `workers` forked processes when there are several.

    Workers format their rows as COPY text themselves, so the loading process only streams bytes to
    PostgreSQL while the next chunks are being generated. At most two chunks per worker wait in memory.
    The rows do not depend on the number of workers: each chunk has its own random stream and id blocks.
    """
    chunks = range(-(-generator.scale.customers // generator.scale.chunk))
    if workers <= 1 or len(chunks) <= 1:
        for number in chunks:
            yield _as_text(generator.generate_chunk(number)) if as_copy_text else generator.generate_chunk(number)
        return
    global _worker_generator
    _worker_generator = generator  # inherited by the forked workers: built once, not pickled per chunk
    work = _chunk_as_text if as_copy_text else _chunk_as_rows
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        queue = iter(chunks)
        for number in itertools.islice(queue, workers * 2):
            pending.append(pool.apply_async(work, (number,)))
        while pending:
            chunk = pending.popleft().get()
            for number in itertools.islice(queue, 1):
                pending.append(pool.apply_async(work, (number,)))
            yield chunk
    _worker_generator = None


def _chunk_as_rows(number: int) -> Chunk:
    assert _worker_generator is not None
    return _worker_generator.generate_chunk(number)


def _chunk_as_text(number: int) -> Chunk:
    return _as_text(_chunk_as_rows(number))


def _as_text(chunk: Chunk) -> Chunk:
    for name, _model, _columns in ACTIVITY_TABLES:
        rows = getattr(chunk.tables, name)
        setattr(chunk.tables, name, event_copy_text(rows) if name == "events" else copy_text(rows))
    return chunk


def _flush(loader: Loader, tables: Tables) -> None:
    for name, model, columns in ACTIVITY_TABLES:
        loader.write(model, columns, getattr(tables, name))


def _add_counts(total: Counters, more: Counters) -> None:
    for name in vars(total):
        setattr(total, name, getattr(total, name) + getattr(more, name))


def _counts(count: Counters) -> dict[str, int]:
    return {
        "customers": count.customers, "browsing events": count.events, "carts": count.carts,
        "cart lines": count.cart_lines, "wishlist items": count.wishlist, "visits": count.visits,
        "orders": count.orders, "order lines": count.order_lines, "order status changes": count.status_changes,
        "sales": count.sales, "sale lines": count.sale_lines,
    }  # fmt: skip


def _fill_stock(loader: Loader, *, seed: int, as_of: datetime, skip: int) -> int:
    """Stock for every location × SKU pair (stores skip `skip`% of them), computed in one INSERT … SELECT.

    The quantities come from integer hashing of the ids and the seed, so they are as reproducible as the rest
    and the database does the 10-million-row work without a round trip per row. No ORDER BY: sorting ten
    million rows costs more than the insert, and nothing refers to a stock row by its id but its movements.
    """
    h = "((p.id * 2654435761 + l.id * 97531 + %s * 7919) %% 1000003)"
    sql = f"""
        INSERT INTO {StockLevel._meta.db_table} (location_id, product_id, on_hand, reserved, safety_stock, as_of)
        SELECT l.id, p.id,
               CASE WHEN l.kind = 'warehouse' THEN 40 + ({h} / 100) %% 400
                    WHEN {h} %% 100 < 9 THEN 0
                    ELSE ({h} / 100) %% 12 END,
               0,
               CASE WHEN l.kind = 'warehouse' THEN 5 WHEN ({h} / 7) %% 4 = 0 THEN 1 ELSE 0 END,
               %s
        FROM {Location._meta.db_table} l CROSS JOIN {Product._meta.db_table} p
        WHERE l.kind = 'warehouse' OR ({h} / 1000) %% 100 >= %s
    """
    as_of_value = connection.ops.adapt_datetimefield_value(as_of)
    params = [seed, seed, seed, seed, as_of_value, seed, skip]
    loader.execute(sql, params)
    return StockLevel.objects.count()


def _feed_movements(loader: Loader, *, as_of: datetime) -> int:
    """The initial snapshot as one feed movement per stock row (SPEC: every change is a movement row)."""
    value = connection.ops.adapt_datetimefield_value(as_of)
    loader.execute(
        f"""
        INSERT INTO {StockMovement._meta.db_table}
            (stock_id, kind, on_hand_delta, reserved_delta, occurred_at, reference, created_at)
        SELECT id, 'feed', on_hand, 0, %s, 'seed_demo', %s FROM {StockLevel._meta.db_table} ORDER BY id
        """,
        [value, value],
    )
    return StockMovement.objects.count()


def _demo_people() -> dict[str, object]:
    users = {}
    for i, (username, role, stores, first, last) in enumerate(DEMO_PEOPLE):
        secret = DEMO_PASSWORD if i == 0 else None
        pin = DEMO_PIN if i == 0 else None
        users[username] = staff_user_create(
            username=username, role=role, store_codes=stores, password=secret, pin=pin,
            first_name=first, last_name=last, email=f"{username}@omniportal.example",
        )  # fmt: skip
    # Hashing is deliberately slow (about a second each on a busy machine): hash the shared demo password and
    # PIN once, for the first person, and give the others the same hashes.
    first = users[DEMO_PEOPLE[0][0]]
    others = [user.pk for name, user in users.items() if name != first.username]
    get_user_model().objects.filter(pk__in=others).update(password=first.password)
    StaffProfile.objects.filter(user_id__in=others).update(pin_hash=first.staff_profile.pin_hash)
    for user in users.values():
        user.refresh_from_db()
    return users


def _notes_and_tasks(
    loader: Loader,
    stores: list,
    regulars: dict[int, list[tuple[int, str, str]]],
    users: dict[str, object],
    rng: random.Random,
    anchor: datetime,
    first_note_id: int,
) -> tuple[int, int]:
    """A few notes and open follow-up tasks for the demo stores' regular customers."""
    by_code = {s.code: s for s in stores}
    authors = {"MI01": "anna_milano", "MI02": "marco_milano", "RM01": "giulia_roma", "RM02": "paolo_roma"}
    notes: list[tuple] = []
    task_ids: list[tuple[int, datetime]] = []
    note_id = first_note_id
    for code, username in authors.items():
        store = by_code.get(code)
        if store is None:
            continue
        author = users[username]
        # Notes and follow-ups are clienteling: only for regulars who consented (note_create and
        # followup_task_create refuse the others).
        consenting = set(
            Customer.objects.filter(
                pk__in=[customer_id for customer_id, _external, _loyalty in regulars.get(store.pk, [])],
                consent_clienteling=True,
            ).values_list("pk", flat=True)
        )
        regulars_here = [who for who in regulars.get(store.pk, []) if who[0] in consenting]
        for customer_id, _external, _loyalty in regulars_here[:6]:
            written = anchor - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 10))
            notes.append((note_id, customer_id, author.pk, store.pk, rng.choice(data.NOTE_TEXTS), written))
            note_id += 1
        for customer_id, _external, _loyalty in regulars_here[6:10]:
            task = followup_task_create(
                customer=Customer.objects.get(pk=customer_id),
                store=Location.objects.get(pk=store.pk),
                title=rng.choice(data.TASK_TITLES),
                created_by=author,
                assigned_to=author,
                due_on=(anchor + timedelta(days=rng.randint(-2, 10))).date(),
            )
            task_ids.append((task.pk, anchor - timedelta(days=rng.randint(1, 14))))
    loader.write(Note, NOTE_COLUMNS, notes)
    # auto_now_add stamped the tasks with the wall clock; give them reproducible dates like everything else.
    for pk, created in task_ids:
        FollowUpTask.objects.filter(pk=pk).update(created_at=created)
    return len(notes), len(task_ids)
