from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from clienteling.models import BrowsingEvent, Cart, CartLine, Customer, FollowUpTask, Note, Visit, WishlistItem
from demo import data
from demo.generate import CUSTOMER_COLUMNS, EVENT_COLUMNS
from demo.load import Loader, copy_text, event_copy_text
from demo.places import StoreIndex, StorePoint
from demo.seed import DEFERRED_INDEX_MODELS, DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PIN, _vacuum_analyze
from insights.models import InsightDay
from inventory.models import Category, Product, StockLevel, StockMovement
from omniportal.geo import haversine_km
from omniportal.models import Location, Role
from omniportal.text import digits, name_key, to_e164
from orders.commissions.periods import current_period, previous_month
from orders.models import (
    CommissionEntry,
    Order,
    OrderLine,
    OrderStatusChange,
    Sale,
    SaleLine,
    Statement,
    StatementStatus,
)

pytestmark = pytest.mark.django_db

NOW = "2026-11-23T10:30:00+00:00"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "tiny", "--skip-derived", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _digest() -> str:
    """Every seeded table's content by natural keys (ids of stock rows and users depend on the database)."""
    h = hashlib.sha256()
    tables = [
        (Location, "code"), (Category, "code"), (Product, "sku"), (Customer, "id"), (BrowsingEvent, "id"),
        (Cart, "id"), (CartLine, "id"), (WishlistItem, "id"), (Visit, "id"), (Order, "id"), (OrderLine, "id"),
        (OrderStatusChange, "id"), (Sale, "id"), (SaleLine, "id"),
    ]  # fmt: skip
    for model, key in tables:
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by(key).values_list(*names):
            h.update(repr(row).encode())
    for row in StockLevel.objects.order_by("product__sku", "location__code").values_list(
        "product__sku", "location__code", "on_hand", "reserved", "safety_stock", "as_of"
    ):
        h.update(repr(row).encode())
    for row in Note.objects.order_by("id").values_list("customer_id", "author__username", "body", "created_at"):
        h.update(repr(row).encode())
    for row in FollowUpTask.objects.order_by("id").values_list("customer_id", "store__code", "title", "due_on"):
        h.update(repr(row).encode())
    return h.hexdigest()


def _wipe() -> None:
    for model in (
        Sale, Order, Note, FollowUpTask, BrowsingEvent, Customer, StockMovement, StockLevel, Product, Category, Location
    ):  # fmt: skip
        model.objects.all().delete()
    get_user_model().objects.all().delete()


def test_tiny_scale_loads_stores_at_real_places_catalogue_stock_and_activity():
    progress = StringIO()
    out = StringIO()
    call_command("seed_demo", "--scale", "tiny", "--now", NOW, stdout=out, stderr=progress)
    output = out.getvalue()
    # Not a terminal: one line per phase, no progress bar.
    assert "\r" not in progress.getvalue()
    assert "customers: 400 customers" in progress.getvalue()

    milano = Location.objects.get(code="MI01")
    assert (milano.city, milano.country) == ("Milano", "IT")
    assert haversine_km(milano.lat, milano.lon, 45.4642, 9.1900) < 1  # Piazza del Duomo
    assert haversine_km(*Location.objects.values_list("lat", "lon").get(code="MU01"), 48.1372, 11.5761) < 1
    warehouses = Location.objects.filter(kind="warehouse")
    assert set(warehouses.values_list("code", flat=True)) == {"WH-BO", "WH-VR"}
    assert all(w.ships_to_home and not w.offers_pickup and not w.commission_eligible for w in warehouses)
    assert Category.objects.count() >= 10
    assert Product.objects.exclude(barcode="").count() == Product.objects.count()
    stores = Location.objects.filter(kind="store").count()
    assert StockLevel.objects.count() > 0.8 * (stores + 2) * Product.objects.count()
    assert StockMovement.objects.filter(kind="feed").count() == StockLevel.objects.count()
    for model in (Customer, BrowsingEvent, Cart, CartLine, WishlistItem, Visit, Order, OrderLine, Sale, SaleLine):
        assert model.objects.exists(), model.__name__
    assert Cart.objects.filter(status="abandoned").exists() and Cart.objects.filter(status="ordered").exists()
    assert Order.objects.filter(delivery_method="pickup").exists()
    assert Note.objects.exists() and FollowUpTask.objects.filter(status="open").exists()
    assert "anna_milano" in output and DEMO_PASSWORD in output


def test_same_seed_and_moment_give_identical_data_and_another_seed_does_not():
    seed("--seed", "7", "--now", NOW)
    first = _digest()
    _wipe()
    seed("--seed", "7", "--now", NOW)
    assert _digest() == first
    _wipe()
    seed("--seed", "8", "--now", NOW)
    assert _digest() != first


def test_worker_processes_give_the_same_data_as_one_process():
    seed("--seed", "7", "--now", NOW, "--workers", "1")
    alone = _digest()
    _wipe()
    seed("--seed", "7", "--now", NOW, "--workers", "3")  # tiny has 4 chunks: workers finish out of order
    assert _digest() == alone


def test_copy_text_reads_back_as_the_values_themselves():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL only")
    tricky = ("tab\there", "line\nbreak\r", "back\\slash \\N", "Ñoño 東京 😀", "")
    rows = []
    for i, text in enumerate(tricky):
        row = dict.fromkeys(CUSTOMER_COLUMNS, "")
        row.update(
            id=100 + i, external_id=f"X-{i}", first_name=text, last_name=text, email=text, loyalty_number=None,
            lat=45.4642 + i / 7, lon=9.19, consent_clienteling=i % 2 == 0, consent_marketing=False,
            sizes={"note": text, "n": i}, preferences=[text, None, True], nearest_store_id=None,
            nearest_store_km=None, source_updated_at=None, erased_at=None,
            created_at=datetime(2026, 11, 23, 10, i, 5, 123456, tzinfo=UTC),
        )  # fmt: skip
        rows.append(tuple(row[name] for name in CUSTOMER_COLUMNS))
    Loader().write(Customer, CUSTOMER_COLUMNS, copy_text(rows))
    assert list(Customer.objects.order_by("id").values_list(*CUSTOMER_COLUMNS)) == rows


def test_the_fast_event_formatter_writes_what_the_general_one_writes():
    seed("--now", NOW)
    # As the generator makes them: the event id is 32 hex digits.
    rows = [(pk, event_id.hex, *rest) for pk, event_id, *rest in BrowsingEvent.objects.values_list(*EVENT_COLUMNS)]
    assert {row[2] for row in rows} >= {"login", "search", "product_view", "add_to_cart", "wishlist_add"}
    assert event_copy_text(rows) == copy_text(rows)
    # It does not escape: the constants it writes must not need it.
    for text in (*data.SEARCH_QUERIES, *data.DEVICES):
        assert not set(text) & set("\t\n\r\\"), text


def test_demo_people_sign_in_with_the_demo_password_and_pin(client):
    seed("--now", NOW)
    for username, role, stores, *_names in DEMO_PEOPLE:
        user = get_user_model().objects.get(username=username)
        assert client.login(username=username, password=DEMO_PASSWORD)
        assert user.staff_profile.role == role
        assert check_password(DEMO_PIN, user.staff_profile.pin_hash)
        assert set(user.staff_profile.stores.values_list("code", flat=True)) == set(stores)
    roles = {role for _u, role, *_rest in DEMO_PEOPLE}
    assert roles == {Role.ASSOCIATE, Role.MANAGER, Role.HEAD_OFFICE}
    assert get_user_model().objects.get(username="helena_hq").is_staff


def test_every_store_has_customers_in_store_now_and_no_visit_is_in_the_future():
    seed()  # the real "now": in-store-now visits are relative to the moment of the run
    now = timezone.now()
    recent = Visit.objects.filter(seen_at__gte=now - timedelta(hours=2))
    for store in Location.objects.filter(kind="store"):
        assert recent.filter(store=store).count() >= 3, store.code
    assert not Visit.objects.filter(seen_at__gt=now).exists()
    assert not BrowsingEvent.objects.filter(occurred_at__gt=now).exists()
    assert not Order.objects.filter(placed_at__gt=now).exists()


def _band(km: float) -> str:
    return "urban" if km <= 15 else "peripheral" if km >= 50 else "between"


def test_urban_customers_abandon_online_and_buy_in_store_while_peripheral_customers_buy_online():
    seed("--now", NOW)
    band = {pk: _band(km) for pk, km in Customer.objects.values_list("id", "nearest_store_km")}
    skus_by_cart = defaultdict(set)
    for cart_id, sku in CartLine.objects.values_list("cart_id", "sku"):
        skus_by_cart[cart_id].add(sku)
    purchases = defaultdict(list)  # customer → [(sold_at, skus)]
    for sale in Sale.objects.filter(customer__isnull=False).prefetch_related("lines"):
        purchases[sale.customer_id].append((sale.sold_at, {line.sku for line in sale.lines.all()}))

    carts = defaultdict(int)
    abandoned = defaultdict(int)
    ordered = defaultdict(int)
    bought_in_store = defaultdict(int)
    for cart in Cart.objects.exclude(status="active"):
        group = band[cart.customer_id]
        carts[group] += 1
        if cart.status == "ordered":
            ordered[group] += 1
            continue
        abandoned[group] += 1
        window_end = cart.source_updated_at + timedelta(days=14)
        if any(
            cart.source_updated_at < sold_at <= window_end and skus & skus_by_cart[cart.id]
            for sold_at, skus in purchases[cart.customer_id]
        ):
            bought_in_store[group] += 1

    urban_abandon = abandoned["urban"] / carts["urban"]
    peripheral_abandon = abandoned["peripheral"] / carts["peripheral"]
    urban_ropo = bought_in_store["urban"] / abandoned["urban"]
    peripheral_ropo = bought_in_store["peripheral"] / abandoned["peripheral"]
    assert carts["urban"] >= 100 and carts["peripheral"] >= 40
    assert urban_abandon > 0.5 > peripheral_abandon
    assert ordered["peripheral"] / carts["peripheral"] > 2 * ordered["urban"] / carts["urban"]
    assert urban_ropo > 0.3 and urban_ropo > 3 * peripheral_ropo
    # Realistic, not perfect: some urban carts are bought online, and not every abandoned cart ends in a sale.
    assert ordered["urban"] > 0 and urban_ropo < 0.9


def test_customers_derived_keys_follow_the_shared_text_and_distance_rules():
    seed("--now", NOW)
    stores = list(Location.objects.filter(kind="store", active=True, commission_eligible=True))
    customers = list(Customer.objects.select_related("nearest_store"))
    for customer in customers:
        assert customer.search_name == name_key(customer.first_name, customer.last_name)
        assert customer.phone_digits == digits(customer.phone)
        if customer.phone:
            assert to_e164(customer.phone) == customer.phone
        best = min(stores, key=lambda s: (haversine_km(customer.lat, customer.lon, s.lat, s.lon), s.code))
        assert customer.nearest_store == best
        assert customer.nearest_store_km == pytest.approx(
            haversine_km(customer.lat, customer.lon, best.lat, best.lon), abs=0.001
        )
    assert sum(c.consent_clienteling for c in customers) > 0.7 * len(customers)
    assert any(not c.consent_clienteling for c in customers)
    assert len({c.loyalty_number for c in customers if c.loyalty_number}) == sum(
        1 for c in customers if c.loyalty_number
    )


def test_agrees_with_the_shared_nearest_store_when_it_exists():
    nearest = pytest.importorskip("inventory.nearest", reason="inventory/nearest.py is not committed yet")
    seed("--now", NOW)
    for customer in Customer.objects.order_by("id")[:60]:
        store, km = nearest.nearest_store(customer.lat, customer.lon)
        assert (store.pk, round(km, 3)) == (customer.nearest_store_id, round(customer.nearest_store_km, 3))


def test_store_index_breaks_ties_to_the_lowest_code_and_reaches_far_places():
    twins = [StorePoint(2, "B", 45.0, 9.0), StorePoint(1, "A", 45.0, 9.0), StorePoint(3, "Z", 60.0, 25.0)]
    index = StoreIndex(twins)
    assert index.nearest(45.1, 9.1)[0].code == "A"
    assert index.nearest(38.0, -9.0)[0].code == "A"  # Lisbon: many grid rings away
    assert index.nearest(64.0, 26.0)[0].code == "Z"
    assert StoreIndex([]).nearest(45.0, 9.0) is None


def test_orders_can_be_credited_by_the_commission_sweep():
    seed("--now", NOW)
    assert not Order.objects.filter(delivery_method="pickup", pickup_store__isnull=True).exists()
    located = Order.objects.filter(location_source="given")
    assert located.count() > 0.95 * Order.objects.count()
    assert not located.filter(delivery_lat__isnull=True).exists()
    assert not Order.objects.filter(location_source="unlocated", delivery_lat__isnull=False).exists()
    assert set(Order.objects.values_list("channel", flat=True)) == {"web", "app"}
    assert Order.objects.values("status").distinct().count() >= 5
    assert not Order.objects.exclude(history__from_status="").exists()  # every order starts with "placed"


def test_the_demo_arrives_with_commissions_credited_months_closed_and_insight_facts_built():
    call_command("seed_demo", "--scale", "tiny", "--now", NOW, stdout=StringIO(), stderr=StringIO())
    located = Order.objects.exclude(location_source="unlocated")
    credited = CommissionEntry.objects.filter(kind="credit").values("order").distinct().count()
    assert credited == located.count()
    assert CommissionEntry.objects.filter(kind="reversal").exists()  # cancellations and returns were reversed
    assert InsightDay.objects.count() >= 120
    # Beat's monthly close ran: every ended month awaits the store's review (approve, dispute, then finalise);
    # the month of --now is still open.
    this_month = current_period(datetime.fromisoformat(NOW))
    statuses = set(Statement.objects.values_list("period", "status"))
    assert {status for period, status in statuses if period < this_month} == {StatementStatus.CLOSED}
    assert {status for period, status in statuses if period == this_month} == {StatementStatus.OPEN}
    last_month = previous_month(this_month)
    eligible = Location.objects.filter(kind="store", active=True, commission_eligible=True)
    assert set(Statement.objects.filter(period=last_month).values_list("store_id", flat=True)) >= set(
        eligible.values_list("pk", flat=True)
    )


def test_refuses_a_database_with_business_data_and_writes_nothing(store_milano):
    with pytest.raises(CommandError, match="empty database"):
        seed("--now", NOW)
    assert not Customer.objects.exists()
    assert Location.objects.count() == 1


def test_if_empty_skips_silently_when_data_exists_and_seeds_otherwise(store_milano):
    assert seed("--if-empty") == ""
    assert not Customer.objects.exists()
    store_milano.delete()
    assert "Demo sign-ins" in seed("--if-empty", "--now", NOW)
    assert Customer.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--workers", "0"),
        ("--workers", "many"),
        ("--seed", "abc"),
        ("--seed", "-1"),
        ("--now", "yesterday"),
        ("--scale", "huge"),
    ],
)
def test_malformed_arguments_are_command_errors_not_crashes(args):
    with pytest.raises(CommandError):
        call_command("seed_demo", *args, stdout=StringIO(), stderr=StringIO())
    assert not Customer.objects.exists()


def test_now_without_offset_is_taken_as_utc():
    seed("--now", "2026-11-23T10:30:00")
    anchor = datetime(2026, 11, 23, tzinfo=UTC)
    assert Order.objects.latest("placed_at").placed_at <= anchor
    assert Visit.objects.latest("seen_at").seen_at <= datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.mark.postgres
def test_deferred_indexes_and_foreign_keys_come_back_exactly_as_they_were():
    if connection.vendor != "postgresql":
        pytest.skip("index deferral is PostgreSQL only")

    tables = [m._meta.db_table for m in DEFERRED_INDEX_MODELS]

    def definitions() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
            indexes = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                """
                SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' '
                       || condeferrable::text || condeferred::text
                FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
                """,
                [tables],
            )
            keys = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                """
                SELECT a.attrelid::regclass::text || ' ' || a.attnum || ' ' || a.attstattarget
                FROM pg_attribute a JOIN pg_index i ON i.indexrelid = a.attrelid
                WHERE i.indrelid::regclass::text = ANY(%s) AND a.attstattarget > 0
                """,
                [tables],
            )
            return indexes | keys | {row[0] for row in cursor.fetchall()}

    before = definitions()
    assert "customer_email_trgm 1 1000" in before  # the search's statistics target (migration 0007) is kept
    loader = Loader()
    dropped = loader.defer_indexes(DEFERRED_INDEX_MODELS)
    keys = loader.defer_foreign_keys(DEFERRED_INDEX_MODELS)
    assert "event_customer_time" in dropped
    assert any("customer_id" in key for key in keys) and len(keys) >= 15
    assert definitions() < before
    assert not any("UNIQUE" in d and any(name in d for name in dropped) for d in before)
    loader.restore_indexes()
    assert definitions() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_ends_vacuumed_so_figures_do_not_wait_for_autovacuum():
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is the PostgreSQL step after a bulk load")

    def last_vacuum():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'inventory_stocklevel'")
            return cursor.fetchone()[0]

    before = last_vacuum()
    _vacuum_analyze(Loader())
    after = last_vacuum()
    assert after is not None and (before is None or after > before)

    with transaction.atomic():  # inside a transaction VACUUM is impossible: statistics alone, and no error
        _vacuum_analyze(Loader())
