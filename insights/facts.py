"""Omnichannel insight facts (SPEC 2.6): fold each local day of carts, sales, events and commission credits
into the fact tables the report reads. The definitions are in docs/insights.md; in short:

- A cart belongs to the local calendar day (settings.TIME_ZONE) of its `source_updated_at`.
- Abandoned: status `abandoned`, or status `active` and not updated for more than 24 hours when the day's
  facts are built. Ordered: status `ordered`.
- Distance band: `Customer.nearest_store_km` (filled at ingestion from the home coordinates); lower edge
  inclusive (exactly 5 km is in 5–15 km). No coordinates, or no customer, is "unknown distance".
- ROPO: an abandoned cart of a known customer is followed by an in-store purchase when the same customer buys a
  SKU of that cart in a store strictly after the cart's last update and at most N calendar days later
  (day N counted, day N+1 not). Revenue: each such sale line once, credited to the latest abandoned cart that
  held its SKU.
- Online-influenced in-store revenue: in-store sale lines whose SKU the same customer viewed, added to a cart or
  wishlisted online (events or cart snapshots) in the N calendar days up to the sale.

Every fact is stored by lag in days (0 … max_window_days()), so the page can choose any window up to the
maximum without rebuilding anything.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from clienteling.models import BrowsingEvent, Cart, CartLine, Customer, EventType
from omniportal.money import cents
from orders.models import CommissionEntry, EntryKind, Order, OrderChannel, Sale, SaleLine

from .models import CartDayFact, DistanceBand, InfluenceDayFact, InsightDay, RopoDayFact, StoreDayFact

ABANDON_AFTER = timedelta(hours=24)
BAND_EDGES_KM = (5, 15, 50)
ONLINE_TOUCHES = (EventType.PRODUCT_VIEW, EventType.ADD_TO_CART, EventType.WISHLIST_ADD)
# Orders drawn online; endless-aisle orders are sold in a store.
ONLINE_CHANNELS = (OrderChannel.WEB, OrderChannel.APP)
MAX_PERIOD_DAYS = 731


class InsightDayInFuture(ValueError):
    """Facts are built for days that have started; a future day would be recorded as built and empty."""


def max_window_days() -> int:
    """The longest ROPO window the facts support (lags are stored up to this many days)."""
    return max(30, settings.ROPO_WINDOW_DAYS)


def local_today() -> date:
    return timezone.localdate()


def day_start(day: date) -> datetime:
    """Local midnight of `day` as an aware datetime (DST-correct: days are 23, 24 or 25 hours long)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def days_between(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=offset) for offset in range((date_to - date_from).days + 1)]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _ts(value: datetime) -> object:
    # SQLite keeps datetimes as UTC text: raw parameters must be adapted like the ORM adapts them.
    return connection.ops.adapt_datetimefield_value(value)


def _band_sql(km: str) -> str:
    near, town, region = BAND_EDGES_KM
    return (
        f"CASE WHEN {km} IS NULL THEN {DistanceBand.UNKNOWN.value} WHEN {km} < {near} THEN {DistanceBand.NEAR.value} "
        f"WHEN {km} < {town} THEN {DistanceBand.TOWN.value} WHEN {km} < {region} THEN {DistanceBand.REGION.value} "
        f"ELSE {DistanceBand.FAR.value} END"
    )


def _lag_after_sql(column: str, day: date, max_days: int) -> tuple[str, list[object]]:
    """Calendar days from `day` to `column` (a timestamp on or after `day`'s midnight), capped at `max_days`."""
    whens = " ".join(f"WHEN {column} < %s THEN {lag}" for lag in range(max_days))
    params = [_ts(day_start(day + timedelta(days=lag + 1))) for lag in range(max_days)]
    return f"CASE {whens} ELSE {max_days} END", params


def _lag_before_sql(column: str, day: date, max_days: int) -> tuple[str, list[object]]:
    """Calendar days from `column` (a timestamp before the end of `day`) to `day`, capped at `max_days`."""
    whens = " ".join(f"WHEN {column} >= %s THEN {lag}" for lag in range(max_days))
    params = [_ts(day_start(day - timedelta(days=lag))) for lag in range(max_days)]
    return f"CASE {whens} ELSE {max_days} END", params


def _abandoned_sql(alias: str) -> str:
    return f"({alias}.status = 'abandoned' OR ({alias}.status = 'active' AND {alias}.source_updated_at < %s))"


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _fetch(sql: str, params: Sequence[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _currencies(rows: Iterable[tuple]) -> set[str]:
    """The currency codes of rows ending in (MIN(currency), MAX(currency)) of the amounts they summed: every
    currency when no group mixes more than two, and always more than one when any group mixes them."""
    return {code for row in rows for code in row[-2:] if code}


def _cart_rows(day: date, stale_before: datetime) -> tuple[list[CartDayFact], set[str]]:
    cart, line, customer = _table(Cart), _table(CartLine), _table(Customer)
    sql = f"""
        WITH day_carts AS (
            SELECT c.customer_id, c.status, c.currency, cu.nearest_store_id AS store_id,
                   {_band_sql("cu.nearest_store_km")} AS band,
                   CASE WHEN {_abandoned_sql("c")} THEN 1 ELSE 0 END AS is_abandoned,
                   (SELECT SUM(l.quantity * l.unit_price) FROM {line} l WHERE l.cart_id = c.id) AS cart_value
            FROM {cart} c LEFT JOIN {customer} cu ON cu.id = c.customer_id
            WHERE c.status IN ('active', 'ordered', 'abandoned')
              AND c.source_updated_at >= %s AND c.source_updated_at < %s
        )
        SELECT store_id, band, COUNT(*),
               SUM(CASE WHEN status = 'ordered' THEN 1 ELSE 0 END),
               SUM(is_abandoned),
               SUM(CASE WHEN is_abandoned = 1 AND customer_id IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN is_abandoned = 1 THEN COALESCE(cart_value, 0) ELSE 0 END),
               MIN(CASE WHEN is_abandoned = 1 THEN currency END), MAX(CASE WHEN is_abandoned = 1 THEN currency END)
        FROM day_carts GROUP BY store_id, band
    """
    params = [_ts(stale_before), _ts(day_start(day)), _ts(day_start(day + timedelta(days=1)))]
    rows = _fetch(sql, params)
    facts = [
        CartDayFact(
            day=day,
            store_id=store_id,
            band=band,
            carts=carts,
            ordered=ordered or 0,
            abandoned=abandoned or 0,
            abandoned_known=known or 0,
            abandoned_value=cents(value),
        )
        for store_id, band, carts, ordered, abandoned, known, value, *_currency in rows
    ]
    return facts, _currencies(rows)


def _abandoned_carts_cte(day: date, stale_before: datetime) -> tuple[str, list[object]]:
    cart, customer = _table(Cart), _table(Customer)
    sql = f"""
        abandoned AS (
            SELECT c.id, c.customer_id, c.source_updated_at AS left_at, cu.nearest_store_id AS store_id,
                   {_band_sql("cu.nearest_store_km")} AS band
            FROM {cart} c JOIN {customer} cu ON cu.id = c.customer_id
            WHERE c.status IN ('active', 'abandoned') AND {_abandoned_sql("c")}
              AND c.source_updated_at >= %s AND c.source_updated_at < %s
        )
    """
    return sql, [_ts(stale_before), _ts(day_start(day)), _ts(day_start(day + timedelta(days=1)))]


def _ropo_rows(day: date, stale_before: datetime, max_days: int) -> tuple[list[RopoDayFact], set[str]]:
    sale, sale_line, cart, cart_line = _table(Sale), _table(SaleLine), _table(Cart), _table(CartLine)
    horizon = _ts(day_start(day + timedelta(days=max_days + 1)))
    abandoned_cte, abandoned_params = _abandoned_carts_cte(day, stale_before)

    # Carts: each abandoned cart once, at the lag of its first in-store purchase of one of its SKUs.
    first_lag, first_lag_params = _lag_after_sql("first_at", day, max_days)
    carts_sql = f"""
        WITH {abandoned_cte},
        first_purchase AS (
            SELECT a.id, a.store_id, a.band, MIN(s.sold_at) AS first_at
            FROM abandoned a
            JOIN {sale} s ON s.customer_id = a.customer_id AND s.sold_at > a.left_at AND s.sold_at < %s
            WHERE EXISTS (
                SELECT 1 FROM {sale_line} sl JOIN {cart_line} cl ON cl.sku = sl.sku
                WHERE sl.sale_id = s.id AND cl.cart_id = a.id
            )
            GROUP BY a.id, a.store_id, a.band
        )
        SELECT store_id, band, lag, COUNT(*) FROM (
            SELECT store_id, band, {first_lag} AS lag FROM first_purchase
        ) lagged GROUP BY store_id, band, lag
    """
    carts = _fetch(carts_sql, [*abandoned_params, horizon, *first_lag_params])

    # Revenue: each sale line once, credited to the latest abandoned cart (of any day) that held its SKU, so
    # two abandoned carts with the same product never count the same purchase twice.
    sold_lag, sold_lag_params = _lag_after_sql("sold_at", day, max_days)
    revenue_sql = f"""
        WITH {abandoned_cte},
        matched AS (
            SELECT a.store_id, a.band, s.sold_at, s.currency, sl.quantity * sl.unit_price AS amount
            FROM abandoned a
            JOIN {sale} s ON s.customer_id = a.customer_id AND s.sold_at > a.left_at AND s.sold_at < %s
            JOIN {sale_line} sl ON sl.sale_id = s.id
            WHERE EXISTS (SELECT 1 FROM {cart_line} cl WHERE cl.cart_id = a.id AND cl.sku = sl.sku)
              AND NOT EXISTS (
                SELECT 1 FROM {cart} c2 JOIN {cart_line} cl2 ON cl2.cart_id = c2.id
                WHERE c2.customer_id = a.customer_id AND cl2.sku = sl.sku
                  AND c2.status IN ('active', 'abandoned') AND {_abandoned_sql("c2")}
                  AND c2.source_updated_at < s.sold_at
                  AND (c2.source_updated_at > a.left_at OR (c2.source_updated_at = a.left_at AND c2.id > a.id))
              )
        )
        SELECT store_id, band, lag, SUM(amount), MIN(currency), MAX(currency) FROM (
            SELECT store_id, band, amount, currency, {sold_lag} AS lag FROM matched
        ) lagged GROUP BY store_id, band, lag
    """
    revenue = _fetch(revenue_sql, [*abandoned_params, horizon, _ts(stale_before), *sold_lag_params])

    facts: dict[tuple, RopoDayFact] = {}
    for store_id, band, lag, count in carts:
        facts[(store_id, band, lag)] = RopoDayFact(day=day, store_id=store_id, band=band, lag_days=lag, carts=count)
    for store_id, band, lag, amount, *_currency in revenue:
        fact = facts.setdefault(
            (store_id, band, lag), RopoDayFact(day=day, store_id=store_id, band=band, lag_days=lag, carts=0)
        )
        fact.revenue = cents(amount)
    return list(facts.values()), _currencies(revenue)


def _store_rows(day: date) -> tuple[list[StoreDayFact], set[str]]:
    start, end = _ts(day_start(day)), _ts(day_start(day + timedelta(days=1)))
    sales = _fetch(
        f"""SELECT s.store_id, SUM(sl.quantity * sl.unit_price), MIN(s.currency), MAX(s.currency)
            FROM {_table(Sale)} s JOIN {_table(SaleLine)} sl ON sl.sale_id = s.id
            WHERE s.sold_at >= %s AND s.sold_at < %s GROUP BY s.store_id""",
        [start, end],
    )
    credits = _fetch(
        f"""SELECT e.store_id, COUNT(DISTINCT e.order_id), SUM(e.amount), MIN(e.currency), MAX(e.currency)
            FROM {_table(CommissionEntry)} e JOIN {_table(Order)} o ON o.id = e.order_id
            WHERE e.kind = %s AND o.channel IN ({_placeholders(ONLINE_CHANNELS)})
              AND o.placed_at >= %s AND o.placed_at < %s
            GROUP BY e.store_id""",
        [EntryKind.CREDIT.value, *(channel.value for channel in ONLINE_CHANNELS), start, end],
    )
    facts: dict[int, StoreDayFact] = {}
    for store_id, revenue, *_currency in sales:
        facts[store_id] = StoreDayFact(day=day, store_id=store_id, sales_revenue=cents(revenue))
    for store_id, orders, amount, *_currency in credits:
        fact = facts.setdefault(store_id, StoreDayFact(day=day, store_id=store_id))
        fact.credited_orders = orders
        fact.credited_amount = cents(amount)
    # The influenced revenue sums lines of these same sales: their currencies are already here.
    return list(facts.values()), _currencies(sales) | _currencies(credits)


def _influence_rows(day: date, max_days: int) -> list[InfluenceDayFact]:
    event, cart, cart_line = _table(BrowsingEvent), _table(Cart), _table(CartLine)
    lookback = _ts(day_start(day - timedelta(days=max_days)))
    lag, lag_params = _lag_before_sql("last_touch", day, max_days)
    # MATERIALIZED: PostgreSQL would otherwise inline the two correlated subqueries into each branch of the
    # lag CASE below and run them once per branch (docs/performance.md).
    materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""
    sql = f"""
        WITH day_lines AS {materialized} (
            SELECT s.store_id, sl.quantity * sl.unit_price AS amount,
                   (SELECT MAX(e.occurred_at) FROM {event} e
                     WHERE e.customer_id = s.customer_id AND e.sku = sl.sku AND e.type IN ({_placeholders(ONLINE_TOUCHES)})
                       AND e.occurred_at < s.sold_at AND e.occurred_at >= %s) AS last_event,
                   (SELECT MAX(c.source_updated_at) FROM {cart} c JOIN {cart_line} cl ON cl.cart_id = c.id
                     WHERE c.customer_id = s.customer_id AND cl.sku = sl.sku
                       AND c.source_updated_at < s.sold_at AND c.source_updated_at >= %s) AS last_cart
            FROM {_table(Sale)} s JOIN {_table(SaleLine)} sl ON sl.sale_id = s.id
            WHERE s.customer_id IS NOT NULL AND s.sold_at >= %s AND s.sold_at < %s
        ),
        touched AS {materialized} (
            SELECT store_id, amount,
                   CASE WHEN last_event IS NULL THEN last_cart WHEN last_cart IS NULL THEN last_event
                        WHEN last_event > last_cart THEN last_event ELSE last_cart END AS last_touch
            FROM day_lines
        )
        SELECT store_id, lag, SUM(amount) FROM (
            SELECT store_id, amount, {lag} AS lag FROM touched WHERE last_touch IS NOT NULL
        ) lagged GROUP BY store_id, lag
    """
    touch_types = [kind.value for kind in ONLINE_TOUCHES]
    params = [
        *touch_types,
        lookback,
        lookback,
        _ts(day_start(day)),
        _ts(day_start(day + timedelta(days=1))),
        *lag_params,
    ]
    return [
        InfluenceDayFact(day=day, store_id=store_id, lag_days=lag_days, revenue=cents(amount))
        for store_id, lag_days, amount in _fetch(sql, params)
    ]


def _fold_default_window(
    day: date,
    cart_facts: list[CartDayFact],
    ropo_facts: list[RopoDayFact],
    store_facts: list[StoreDayFact],
    influence_facts: list[InfluenceDayFact],
) -> None:
    """Sum the lag rows up to the default window into the cart and store rows the default report reads."""
    window = settings.ROPO_WINDOW_DAYS
    carts = {(fact.store_id, fact.band): fact for fact in cart_facts}
    for fact in ropo_facts:
        if fact.lag_days <= window:
            key = (fact.store_id, fact.band)
            if key not in carts:  # cannot happen (a ROPO row comes from that day's carts); never lose a sum
                carts[key] = CartDayFact(day=day, store_id=fact.store_id, band=fact.band)
                cart_facts.append(carts[key])
            carts[key].ropo_carts += fact.carts
            carts[key].ropo_revenue += fact.revenue
    stores = {fact.store_id: fact for fact in store_facts}
    for fact in influence_facts:
        if fact.lag_days <= window:
            if fact.store_id not in stores:
                stores[fact.store_id] = StoreDayFact(day=day, store_id=fact.store_id)
                store_facts.append(stores[fact.store_id])
            stores[fact.store_id].influenced_revenue += fact.revenue


def _lock_day(day: date) -> None:
    # Two rebuilds of one day would both delete then insert; the second waits here instead of failing on the
    # unique constraints. SQLite serialises writers by itself.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x1A51, day.toordinal()])


def insight_day_rebuild(*, day: date, as_of: datetime | None = None) -> InsightDay:
    """Replace every fact of one local day in one transaction: running it twice leaves the same rows."""
    as_of = as_of or timezone.now()
    if day > timezone.localdate(as_of):
        raise InsightDayInFuture(day)
    started = clock.perf_counter()
    max_days = max_window_days()
    stale_before = as_of - ABANDON_AFTER
    with transaction.atomic():
        _lock_day(day)
        cart_facts, cart_currencies = _cart_rows(day, stale_before)
        ropo_facts, ropo_currencies = _ropo_rows(day, stale_before, max_days)
        store_facts, store_currencies = _store_rows(day)
        influence_facts = _influence_rows(day, max_days)
        _fold_default_window(day, cart_facts, ropo_facts, store_facts, influence_facts)
        for model, rows in (
            (CartDayFact, cart_facts),
            (RopoDayFact, ropo_facts),
            (StoreDayFact, store_facts),
            (InfluenceDayFact, influence_facts),
        ):
            model.objects.filter(day=day).delete()
            model.objects.bulk_create(rows, batch_size=2000)
        built, _created = InsightDay.objects.update_or_create(
            day=day,
            defaults={
                "rebuilt_at": timezone.now(),
                "as_of": as_of,
                "seconds": clock.perf_counter() - started,
                "window_days": settings.ROPO_WINDOW_DAYS,
                "currencies": ",".join(sorted(cart_currencies | ropo_currencies | store_currencies)),
            },
        )
    return built


def insight_days_rebuild(*, date_from: date, date_to: date, as_of: datetime | None = None) -> list[InsightDay]:
    """Rebuild each day of a range, one transaction per day (a long range never holds one huge transaction)."""
    return [insight_day_rebuild(day=day, as_of=as_of) for day in days_between(date_from, date_to)]


def insight_days_to_refresh(*, today: date | None = None) -> list[date]:
    """Days whose facts can still change: a later purchase may close a ROPO window opened up to
    max_window_days() ago, and a cart left yesterday turns abandoned 24 hours later."""
    today = today or local_today()
    return days_between(today - timedelta(days=max_window_days() + 1), today - timedelta(days=1))
