"""Commission to the store nearest the delivery address (SPEC 2.5): one place for every rule.

Writes (services) and the reads that pages, the API and CSV share (selectors). Tasks, views, the admin
and the API call these; none of them repeats a rule.

Exactly once: entries are inserted with `ON CONFLICT DO NOTHING` against the unique constraints
`commission_entry_once (order, store, event_key)` and `commission_entry_one_per_event (order, event_key)`.
The database decides; nothing here reads "is it credited yet?" before writing.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.nearest import InvalidPoint, StoreIndex, store_index
from omniportal.access import is_head_office, scope_to_stores
from omniportal.geo import haversine_km
from omniportal.models import Location, LocationKind
from omniportal.money import cents, round_money

from .models import (
    CommissionEntry,
    CommissionPolicy,
    DeliveryMethod,
    EntryKind,
    LedgerIsAppendOnly,
    LocationSource,
    Order,
    OrderChannel,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    Statement,
    StatementStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

__all__ = ["LedgerIsAppendOnly"]  # re-exported: callers catch it from here

logger = logging.getLogger(__name__)

CREDIT_KEY = "credit"
ASSISTED_SUFFIX = ":assisted"
REVERSAL_STATUSES = frozenset(
    {OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.PARTIALLY_RETURNED, OrderStatus.NOT_COLLECTED}
)
ONE = Decimal("1")
ZERO = Decimal("0")
RATE_PLACES = Decimal("0.0001")


# ── Errors ──────────────────────────────────────────────────────────────────────────────────────────


class CommissionError(Exception):
    """Base of the commission domain errors."""


class NoPolicyInForce(CommissionError):
    """No commission policy covers the order's date: head office must add one; the sweep retries."""


class StatementNotFound(CommissionError):
    """No such statement among the stores the person works for."""


class StatementTransitionRefused(CommissionError):
    """The statement is not in a state that allows this action (or the person's role does not)."""


# ── Money and periods (pure) ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CommissionLine:
    """One order line as the commission sees it: its net (q × price − discount) and the rate that applies."""

    sku: str
    quantity: int
    net: Decimal
    rate: Decimal


def commission_amount(*, lines: Iterable[CommissionLine], currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(base, amount, unrounded amount): Σ net, and Σ net × rate rounded ONCE, half-even."""
    lines = list(lines)
    base = sum((line.net for line in lines), ZERO)
    unrounded = sum((line.net * line.rate for line in lines), ZERO)
    return base, round_money(unrounded, currency), unrounded


def split_amount(*, amount: Decimal, share: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """(selling store's share, beneficiary's remainder): the share is rounded, the remainder makes the sum exact."""
    assisted = round_money(amount * share, currency)
    return assisted, amount - assisted


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def previous_month(period: date) -> date:
    return date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def local_period(moment: datetime) -> date:
    """The statement month of an instant, in the portal's time zone."""
    return month_start(timezone.localtime(moment).date())


def parse_period(value: str) -> date:
    """'YYYY-MM' → first day of that month; ValueError otherwise."""
    if len(value) != 7 or value[4] != "-" or not (value[:4].isdigit() and value[5:].isdigit()):
        raise ValueError(f"not a period (YYYY-MM): {value!r}")
    year, month = int(value[:4]), int(value[5:])
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        raise ValueError(f"not a period (YYYY-MM): {value!r}")
    return date(year, month, 1)


# ── Policies ────────────────────────────────────────────────────────────────────────────────────────


def policy_in_force(*, on: date, policies: Sequence[CommissionPolicy] | None = None) -> CommissionPolicy:
    """The one policy in force on `on` (category rates prefetched)."""
    if policies is None:
        policies = _policies()
    for policy in policies:
        if policy.effective_from <= on and (policy.effective_to is None or on <= policy.effective_to):
            return policy
    raise NoPolicyInForce(f"no commission policy is in force on {on.isoformat()}")


def _policies() -> list[CommissionPolicy]:
    return list(CommissionPolicy.objects.prefetch_related("category_rates"))


def _category_rates(policy: CommissionPolicy) -> dict[int, Decimal]:
    return {rate.category_id: rate.rate for rate in policy.category_rates.all()}


@transaction.atomic
def commission_policy_save(*, policy: CommissionPolicy) -> CommissionPolicy:
    """Validate (one policy in force per date, rates within 0..1) and save. The database refuses overlaps too."""
    policy.full_clean()
    policy.save()
    return policy


# ── Beneficiary ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Beneficiary:
    store_id: int
    store_code: str
    distance_km: float | None
    reason: str  # "pickup" | "nearest"


def _order_point(order: Order) -> tuple[float, float] | None:
    if order.delivery_lat is None or order.delivery_lon is None:
        return None
    return order.delivery_lat, order.delivery_lon


def commission_beneficiary(
    *, order: Order, stores: dict[int, Location] | None = None, index: StoreIndex | None = None
) -> Beneficiary | None:
    """The store credited for `order`; None while a home delivery is unlocated or no store is eligible.

    `stores` (pickup stores by id) and `index` let a batch avoid a query per order.
    """
    point = _order_point(order)
    if order.delivery_method == DeliveryMethod.PICKUP and order.pickup_store_id is not None:
        pickup = (stores or {}).get(order.pickup_store_id) or Location.objects.get(pk=order.pickup_store_id)
        km = haversine_km(point[0], point[1], pickup.lat, pickup.lon) if point else None
        return Beneficiary(store_id=pickup.pk, store_code=pickup.code, distance_km=km, reason="pickup")
    if point is None or order.location_source == LocationSource.UNLOCATED:
        return None
    try:
        found = (index or store_index(commission_eligible=True)).nearest_entry(*point)
    except InvalidPoint:
        logger.warning("order %s has an impossible delivery location %r; commission held", order.number, point)
        return None
    if found is None:
        return None
    entry, km = found
    return Beneficiary(store_id=entry[3].pk, store_code=entry[2], distance_km=km, reason="nearest")


# ── Crediting ───────────────────────────────────────────────────────────────────────────────────────


@dataclass
class CreditResult:
    attempted: int = 0
    held: int = 0  # unlocated, no eligible store, or no policy: credited later by the sweep


def _order_lines(order_ids: Sequence[int]) -> dict[int, list[tuple[str, int, Decimal, Decimal, int | None]]]:
    lines: dict[int, list] = defaultdict(list)
    rows = (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "id")
        .values_list("order_id", "sku", "quantity", "unit_price", "discount", "product__category_id")
    )
    for order_id, sku, quantity, unit_price, discount, category_id in rows:
        lines[order_id].append((sku, quantity, unit_price, discount, category_id))
    return lines


def _effective_rate(lines: list[CommissionLine], base: Decimal, unrounded: Decimal, default: Decimal) -> Decimal:
    rates = {line.rate for line in lines}
    if len(rates) == 1:
        return rates.pop()
    if not rates or base == 0:
        return default
    return (unrounded / base).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


def _statement_statuses(pairs: Iterable[tuple[int, date]]) -> dict[tuple[int, date], str]:
    """Statuses of the statements for (store, period) pairs, share-locked on PostgreSQL.

    The lock makes finalising wait for a crediting transaction that is writing into that month, and makes
    a crediting transaction that waited for a finalisation see it (and move on to the next month).
    """
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    if connection.vendor == "postgresql":
        table = Statement._meta.db_table
        values = ", ".join(["(%s, %s::date)"] * len(pairs))
        sql = (
            f"SELECT store_id, period, status FROM {table} WHERE (store_id, period) IN ({values}) "
            "ORDER BY store_id, period FOR SHARE"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [item for pair in pairs for item in pair])
            return {(store_id, period): status for store_id, period, status in cursor.fetchall()}
    condition = Q()
    for store_id, period in pairs:
        condition |= Q(store_id=store_id, period=period)
    return {
        (store_id, period): status
        for store_id, period, status in Statement.objects.filter(condition).values_list("store_id", "period", "status")
    }


def _target_periods(pairs: Iterable[tuple[int, date]]) -> dict[tuple[int, date], date]:
    """Where each (store, event month) lands: that month, or the next one not finalised (call inside atomic)."""
    target = {pair: pair[1] for pair in set(pairs)}
    pending = set(target)
    while pending:
        Statement.objects.bulk_create(
            [Statement(store_id=store_id, period=target[(store_id, origin)]) for store_id, origin in pending],
            ignore_conflicts=True,
        )
        statuses = _statement_statuses((store_id, target[(store_id, origin)]) for store_id, origin in pending)
        still = set()
        for store_id, origin in pending:
            if statuses.get((store_id, target[(store_id, origin)])) == StatementStatus.FINALISED:
                target[(store_id, origin)] = next_month(target[(store_id, origin)])
                still.add((store_id, origin))
        pending = still
    return target


def _money(value: Decimal) -> str:
    return format(value, "f")


def _build_credit(
    order: Order, lines_by_order, policies, stores: dict[int, Location], index: StoreIndex, rates_cache: dict
) -> list[CommissionEntry]:
    """The credit entries of one order (without period resolution), or [] when the order is held."""
    beneficiary = commission_beneficiary(order=order, stores=stores, index=index)
    if beneficiary is None:
        return []
    placed_on = order.placed_at.astimezone(rates_cache["tz"]).date()
    policy = policy_in_force(on=placed_on, policies=policies)
    category_rates = rates_cache.get(policy.pk)
    if category_rates is None:
        category_rates = rates_cache[policy.pk] = _category_rates(policy)
    lines = [
        CommissionLine(
            sku=sku,
            quantity=quantity,
            net=quantity * unit_price - discount,
            rate=category_rates.get(category_id, policy.default_rate),
        )
        for sku, quantity, unit_price, discount, category_id in lines_by_order.get(order.pk, [])
    ]
    base, amount, unrounded = commission_amount(lines=lines, currency=order.currency)
    rate = _effective_rate(lines, base, unrounded, policy.default_rate)
    point = _order_point(order)
    explanation: dict[str, Any] = {
        "beneficiary": beneficiary.reason,
        "location": {"lat": point[0], "lon": point[1]} if point else None,
        "location_source": order.location_source,
        "policy": {"id": policy.pk, "name": policy.name, "effective_from": policy.effective_from.isoformat()},
        "default_rate": _money(policy.default_rate),
        "lines": [
            {"sku": line.sku, "quantity": line.quantity, "net": _money(line.net), "rate": _money(line.rate)}
            for line in lines
        ],
        "order_amount": _money(amount),
        "beneficiary_store": beneficiary.store_code,
    }
    period = month_start(placed_on)
    common = {
        "order": order,
        "kind": EntryKind.CREDIT,
        "base_amount": base,
        "currency": order.currency,
        "period": period,
        "location_source": order.location_source,
        "policy": policy,
        "rate": rate,
    }
    seller_id = order.selling_store_id
    if order.channel != OrderChannel.ENDLESS_AISLE or seller_id is None or seller_id == beneficiary.store_id:
        return [
            CommissionEntry(
                store_id=beneficiary.store_id,
                event_key=CREDIT_KEY,
                amount=amount,
                distance_km=beneficiary.distance_km,
                share=ONE,
                explanation={**explanation, "role": "beneficiary", "share": "1"},
                **common,
            )
        ]
    share = policy.assisted_share
    assisted, remainder = split_amount(amount=amount, share=share, currency=order.currency)
    seller = stores.get(seller_id) or Location.objects.get(pk=seller_id)
    seller_km = haversine_km(point[0], point[1], seller.lat, seller.lon) if point else None
    explanation["selling_store"] = seller.code
    return [
        CommissionEntry(
            store_id=beneficiary.store_id,
            event_key=CREDIT_KEY,
            amount=remainder,
            distance_km=beneficiary.distance_km,
            share=ONE - share,
            explanation={**explanation, "role": "beneficiary", "share": _money(ONE - share)},
            **common,
        ),
        CommissionEntry(
            store_id=seller_id,
            event_key=CREDIT_KEY + ASSISTED_SUFFIX,
            amount=assisted,
            distance_km=seller_km,
            share=share,
            explanation={**explanation, "role": "assisted", "share": _money(share)},
            **common,
        ),
    ]


_ENTRY_COLUMNS = (
    "order_id", "store_id", "kind", "event_key", "amount", "base_amount", "currency", "period", "distance_km",
    "location_source", "policy_id", "rate", "share", "explanation", "created_at",
)  # fmt: skip
_INCOMING_TABLE = """
    CREATE TEMP TABLE IF NOT EXISTS commission_entry_incoming (
        order_id bigint, store_id bigint, kind varchar(10), event_key varchar(40), amount numeric(12, 2),
        base_amount numeric(12, 2), currency varchar(3), period date, distance_km double precision,
        location_source varchar(16), policy_id bigint, rate numeric(6, 4), share numeric(6, 4), explanation jsonb,
        created_at timestamptz
    ) ON COMMIT DELETE ROWS
"""


def _copy_entries(entries: list[CommissionEntry]) -> None:
    """PostgreSQL: COPY into a temp table, then one INSERT … ON CONFLICT DO NOTHING (same guarantee as
    bulk_create(ignore_conflicts=True), without quoting thousands of values in Python)."""
    columns = ", ".join(_ENTRY_COLUMNS)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_INCOMING_TABLE)
        with cursor.cursor.copy(f"COPY commission_entry_incoming ({columns}) FROM STDIN") as copy:
            for entry in entries:
                copy.write_row(
                    (
                        entry.order_id, entry.store_id, entry.kind, entry.event_key, entry.amount, entry.base_amount,
                        entry.currency, entry.period, entry.distance_km, entry.location_source, entry.policy_id,
                        entry.rate, entry.share, json.dumps(entry.explanation), now,
                    )
                )  # fmt: skip
        table = CommissionEntry._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM commission_entry_incoming ON CONFLICT DO NOTHING"
        )
        cursor.execute("DELETE FROM commission_entry_incoming")


def _insert_entries(entries: list[CommissionEntry]) -> None:
    """Insert, letting the unique constraints drop duplicates; periods move past finalised months."""
    if not entries:
        return
    with transaction.atomic():
        targets = _target_periods((entry.store_id, entry.period) for entry in entries)
        for entry in entries:
            entry.period = targets[(entry.store_id, entry.period)]
        if connection.vendor == "postgresql" and len(entries) > 20:
            _copy_entries(entries)
        else:
            CommissionEntry.objects.bulk_create(entries, ignore_conflicts=True)


_ORDER_FIELDS = (
    "id",
    "number",
    "channel",
    "selling_store_id",
    "placed_at",
    "currency",
    "delivery_method",
    "pickup_store_id",
    "delivery_lat",
    "delivery_lon",
    "location_source",
)


def commissions_credit_orders(*, order_ids: Sequence[int]) -> CreditResult:
    """Credit every order in `order_ids` that is not credited yet. Safe to run twice, or concurrently."""
    result = CreditResult()
    order_ids = list(order_ids)
    if not order_ids:
        return result
    orders = list(Order.objects.filter(pk__in=order_ids).only(*_ORDER_FIELDS).order_by("pk"))
    lines_by_order = _order_lines([order.pk for order in orders])
    policies = _policies()
    store_ids = {order.pickup_store_id for order in orders} | {order.selling_store_id for order in orders}
    stores = Location.objects.in_bulk([pk for pk in store_ids if pk is not None])
    index = store_index(commission_eligible=True)
    rates_cache: dict = {"tz": timezone.get_current_timezone()}
    entries: list[CommissionEntry] = []
    for order in orders:
        result.attempted += 1
        try:
            built = _build_credit(order, lines_by_order, policies, stores, index, rates_cache)
        except NoPolicyInForce:
            logger.error("order %s: no commission policy in force on its date; commission held", order.number)
            built = []
        if not built:
            result.held += 1
        entries += built
    _insert_entries(entries)
    return result


def commission_credit_order(*, order_id: int) -> CreditResult:
    return commissions_credit_orders(order_ids=[order_id])


# ── Reversals ───────────────────────────────────────────────────────────────────────────────────────


def _change_quantities(change: OrderStatusChange) -> dict[str, int] | None:
    """SKU → quantity for a partial change; None for the whole order. Malformed items are ignored."""
    lines = change.lines
    if not lines or not isinstance(lines, list):
        return None
    quantities: dict[str, int] = defaultdict(int)
    for item in lines:
        if not isinstance(item, dict):
            continue
        sku, quantity = item.get("sku"), item.get("quantity")
        if isinstance(sku, str) and isinstance(quantity, int) and not isinstance(quantity, bool) and quantity > 0:
            quantities[sku] += quantity
    return dict(quantities) or None


def _apply_change(cumulative: list[int], credited_lines: list[dict], change: OrderStatusChange) -> None:
    """Add a change's quantities to the per-line cumulative reversed quantities (capped at each line's quantity)."""
    wanted = _change_quantities(change)
    for i, line in enumerate(credited_lines):
        room = int(line["quantity"]) - cumulative[i]
        if room <= 0:
            continue
        if wanted is None:
            cumulative[i] += room
            continue
        take = min(room, wanted.get(line["sku"], 0))
        if take:
            cumulative[i] += take
            wanted[line["sku"]] -= take


def _reversal_entries(
    *,
    change: OrderStatusChange,
    credits: list[CommissionEntry],
    before: list[int],
    cumulative: list[int],
    already: dict[str, Decimal],
) -> list[CommissionEntry]:
    """Negative entries that bring the reversed total to the cumulative target, store by store.

    The target is the split of round(Σ net × reversed/quantity × rate); once every unit is reversed that is
    exactly the credited amount and split, so credits and reversals cancel to the cent.
    """
    beneficiary = next(entry for entry in credits if entry.event_key == CREDIT_KEY)
    assisted = next((entry for entry in credits if entry.event_key != CREDIT_KEY), None)
    credited_lines = beneficiary.explanation.get("lines", [])
    currency = beneficiary.currency
    base = unrounded = ZERO
    for line, earlier, reversed_quantity in zip(credited_lines, before, cumulative, strict=True):
        if reversed_quantity:
            net, quantity = Decimal(line["net"]), int(line["quantity"])
            unrounded += net * reversed_quantity / quantity * Decimal(line["rate"])
            base += net * (reversed_quantity - earlier) / quantity
    total = round_money(unrounded, currency)
    targets = {CREDIT_KEY: total}
    if assisted is not None:
        targets[assisted.event_key], targets[CREDIT_KEY] = split_amount(
            amount=total, share=assisted.share, currency=currency
        )
    period = local_period(change.occurred_at)
    reason = change.to_status
    entries = []
    for credit in (beneficiary, assisted):
        if credit is None:
            continue
        amount = -(targets[credit.event_key] - already.get(credit.event_key, ZERO))
        suffix = "" if credit.event_key == CREDIT_KEY else ASSISTED_SUFFIX
        entries.append(
            CommissionEntry(
                order_id=credit.order_id,
                store_id=credit.store_id,
                kind=EntryKind.REVERSAL,
                event_key=f"change:{change.pk}{suffix}",
                amount=amount,
                base_amount=-round_money(base, currency),
                currency=currency,
                period=period,
                distance_km=credit.distance_km,
                location_source=credit.location_source,
                policy_id=credit.policy_id,
                rate=credit.rate,
                share=credit.share,
                explanation={
                    **{k: v for k, v in credit.explanation.items() if k != "lines"},
                    "reversal": reason,
                    "change": change.pk,
                    "reversed_quantities": {
                        line["sku"]: n for line, n in zip(credited_lines, cumulative, strict=True) if n
                    },
                },
            )
        )
    return entries


def commissions_reverse_order(*, order_id: int) -> int:
    """Append the reversal entries of every cancellation/return of the order that has none yet.

    Reversals are cumulative, so they are applied in the order the changes were recorded. An order that
    was never credited is credited first (a reversal needs something to reverse); an unlocated one waits.
    Returns the number of changes reversed now.
    """
    changes = list(OrderStatusChange.objects.filter(order_id=order_id, to_status__in=REVERSAL_STATUSES).order_by("pk"))
    if not changes:
        return 0
    credits = list(CommissionEntry.objects.filter(order_id=order_id, kind=EntryKind.CREDIT).order_by("event_key"))
    if not any(entry.event_key == CREDIT_KEY for entry in credits):
        commission_credit_order(order_id=order_id)
        credits = list(CommissionEntry.objects.filter(order_id=order_id, kind=EntryKind.CREDIT).order_by("event_key"))
        if not credits:
            return 0
    credited_lines = next(entry for entry in credits if entry.event_key == CREDIT_KEY).explanation.get("lines", [])
    cumulative = [0] * len(credited_lines)
    reversed_now = 0
    for change in changes:
        before = list(cumulative)
        _apply_change(cumulative, credited_lines, change)
        prefix = f"change:{change.pk}"
        done = CommissionEntry.objects.filter(order_id=order_id, event_key__in=[prefix, prefix + ASSISTED_SUFFIX])
        if done.exists():
            continue
        already = _reversed_so_far(order_id=order_id, before_change=change.pk)
        _insert_entries(
            _reversal_entries(change=change, credits=credits, before=before, cumulative=cumulative, already=already)
        )
        reversed_now += 1
    return reversed_now


def _reversed_so_far(*, order_id: int, before_change: int) -> dict[str, Decimal]:
    """Already reversed per role (credit key → positive amount), from the ledger, for earlier changes."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = CommissionEntry.objects.filter(order_id=order_id, kind=EntryKind.REVERSAL).values_list("event_key", "amount")
    for event_key, amount in rows:
        parts = event_key.split(":")
        if int(parts[1]) < before_change:
            totals[CREDIT_KEY + (ASSISTED_SUFFIX if len(parts) > 2 else "")] -= amount
    return totals


def commission_reverse_change(*, change_id: int) -> int:
    change = OrderStatusChange.objects.filter(pk=change_id).only("order_id", "to_status").first()
    if change is None or change.to_status not in REVERSAL_STATUSES:
        return 0
    return commissions_reverse_order(order_id=change.order_id)


# ── Sweep ───────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class SweepResult:
    orders_attempted: int = 0
    orders_held: int = 0
    reversals: int = 0


def _credit_missing(cutoff: datetime) -> QuerySet[Order]:
    credited = CommissionEntry.objects.filter(order=OuterRef("pk"), event_key=CREDIT_KEY)
    located = Q(delivery_method=DeliveryMethod.PICKUP, pickup_store__isnull=False) | (
        Q(delivery_lat__isnull=False, delivery_lon__isnull=False) & ~Q(location_source=LocationSource.UNLOCATED)
    )
    return Order.objects.filter(located, created_at__lt=cutoff).filter(~Exists(credited))


def _reversal_missing(cutoff: datetime) -> QuerySet[OrderStatusChange]:
    reversed_ = CommissionEntry.objects.filter(
        order=OuterRef("order"), event_key=Concat(Value("change:"), Cast(OuterRef("pk"), CharField()))
    )
    return OrderStatusChange.objects.filter(to_status__in=REVERSAL_STATUSES, created_at__lt=cutoff).filter(
        ~Exists(reversed_)
    )


def commissions_sweep(
    *, grace: timedelta = timedelta(minutes=5), batch_size: int = 1000, budget_seconds: float | None = None
) -> SweepResult:
    """Credit located orders older than `grace` that have no credit, then reverse unreversed changes.

    Catches whatever a lost message, a dead worker or a broker outage left behind. Held orders (unlocated,
    no eligible store, no policy) are retried on every sweep and skipped meanwhile.
    """
    started = time.monotonic()
    cutoff = timezone.now() - grace
    result = SweepResult()
    last_pk = 0
    while budget_seconds is None or time.monotonic() - started < budget_seconds:
        ids = list(
            _credit_missing(cutoff).filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        credited = commissions_credit_orders(order_ids=ids)
        result.orders_attempted += credited.attempted
        result.orders_held += credited.held
        last_pk = ids[-1]
    order_ids = sorted(set(_reversal_missing(cutoff).values_list("order_id", flat=True)))
    for order_id in order_ids:
        if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
            break
        result.reversals += commissions_reverse_order(order_id=order_id)
    return result


def commissions_held_count() -> int:
    """Home-delivery orders whose commission waits for a location (listed for head office)."""
    return (
        Order.objects.filter(delivery_method=DeliveryMethod.HOME)
        .filter(Q(location_source=LocationSource.UNLOCATED) | Q(delivery_lat__isnull=True))
        .count()
    )


# ── Statements ──────────────────────────────────────────────────────────────────────────────────────


def current_period(now: datetime | None = None) -> date:
    return local_period(now or timezone.now())


@transaction.atomic
def statements_close_ended_months(*, now: datetime | None = None) -> int:
    """Give every commission-eligible store a statement for last month, and close every open past month."""
    now = now or timezone.now()
    current = current_period(now)
    last = previous_month(current)
    store_ids = set(
        Location.objects.filter(kind=LocationKind.STORE, active=True, commission_eligible=True).values_list(
            "pk", flat=True
        )
    )
    store_ids |= set(CommissionEntry.objects.filter(period=last).values_list("store_id", flat=True).distinct())
    Statement.objects.bulk_create([Statement(store_id=pk, period=last) for pk in store_ids], ignore_conflicts=True)
    return Statement.objects.filter(status=StatementStatus.OPEN, period__lt=current).update(
        status=StatementStatus.CLOSED, closed_at=now
    )


def _statement_for(*, statement_id: int, actor: AbstractBaseUser) -> Statement:
    """The statement locked for update, if it belongs to one of the actor's stores."""
    statement = (
        scope_to_stores(Statement.objects.select_for_update(), actor)
        .filter(pk=statement_id)
        .select_related("store")
        .first()
    )
    if statement is None:
        raise StatementNotFound(statement_id)
    return statement


REVIEWABLE = (StatementStatus.CLOSED, StatementStatus.APPROVED, StatementStatus.DISPUTED)


@transaction.atomic
def statement_approve(*, statement_id: int, actor: AbstractBaseUser) -> Statement:
    statement = _statement_for(statement_id=statement_id, actor=actor)
    if statement.status not in (StatementStatus.CLOSED, StatementStatus.DISPUTED):
        raise StatementTransitionRefused(_("Only a closed or disputed statement can be approved."))
    statement.status = StatementStatus.APPROVED
    statement.reviewed_by = actor
    statement.reviewed_at = timezone.now()
    statement.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return statement


@transaction.atomic
def statement_dispute(*, statement_id: int, actor: AbstractBaseUser, comment: str) -> Statement:
    comment = (comment or "").strip()
    if not comment:
        raise StatementTransitionRefused(_("Say what is wrong: a dispute needs a comment."))
    if len(comment) > 2000:
        raise StatementTransitionRefused(_("The comment is too long (2,000 characters at most)."))
    statement = _statement_for(statement_id=statement_id, actor=actor)
    if statement.status not in (StatementStatus.CLOSED, StatementStatus.APPROVED, StatementStatus.DISPUTED):
        raise StatementTransitionRefused(_("Only a closed statement can be disputed."))
    statement.status = StatementStatus.DISPUTED
    statement.comment = comment
    statement.reviewed_by = actor
    statement.reviewed_at = timezone.now()
    statement.save(update_fields=["status", "comment", "reviewed_by", "reviewed_at"])
    return statement


@transaction.atomic
def statement_finalise(*, statement_id: int, actor: AbstractBaseUser) -> Statement:
    """Lock the month (head office). Later entries for it land in the store's next month that is not final."""
    if not is_head_office(actor):
        raise StatementTransitionRefused(_("Only head office can finalise a statement."))
    statement = _statement_for(statement_id=statement_id, actor=actor)
    if statement.status not in REVIEWABLE:
        raise StatementTransitionRefused(_("Only a closed statement can be finalised."))
    statement.status = StatementStatus.FINALISED
    statement.finalised_by = actor
    statement.finalised_at = timezone.now()
    statement.save(update_fields=["status", "finalised_by", "finalised_at"])
    return statement


# ── Reads (selectors) ───────────────────────────────────────────────────────────────────────────────


def commission_entries(
    *,
    user: AbstractBaseUser | None = None,
    store: Location | None = None,
    period: date | None = None,
    kind: str | None = None,
    order: str | None = None,
) -> QuerySet[CommissionEntry]:
    """Ledger entries with what their display needs, scoped to the user's stores when a user is given."""
    entries = CommissionEntry.objects.select_related("order", "store", "policy")
    if user is not None:
        entries = scope_to_stores(entries, user)
    if store is not None:
        entries = entries.filter(store=store)
    if period is not None:
        entries = entries.filter(period=period)
    if kind:
        entries = entries.filter(kind=kind)
    if order:
        entries = entries.filter(Q(order__number__iexact=order) | Q(order__external_id__iexact=order))
    return entries.order_by("-period", "-created_at", "-id")


def commission_monthly_net(*, store: Location, until: date, months: int = 12) -> list[tuple[date, Decimal]]:
    """Net per month for the `months` months ending with `until` (oldest first, zero-filled)."""
    periods = [until]
    while len(periods) < months:
        periods.append(previous_month(periods[-1]))
    periods.reverse()
    totals = dict(
        CommissionEntry.objects.filter(store=store, period__gte=periods[0], period__lte=until)
        .values_list("period")
        .annotate(net=Sum("amount"))
        .values_list("period", "net")
    )
    return [(period, cents(totals.get(period) or ZERO)) for period in periods]


@dataclass
class NetworkRow:
    store: Location
    credits: Decimal
    reversals: Decimal
    net: Decimal
    entries: int
    statement: Statement | None


def commission_network(*, period: date) -> list[NetworkRow]:
    """Every store side by side for one month: totals and the statement (three queries)."""
    totals = {
        row["store_id"]: row
        for row in CommissionEntry.objects.filter(period=period)
        .values("store_id")
        .annotate(
            credits=Sum("amount", filter=Q(kind=EntryKind.CREDIT)),
            reversals=Sum("amount", filter=Q(kind=EntryKind.REVERSAL)),
            net=Sum("amount"),
            entries=Count("id"),
        )
    }
    statements = {statement.store_id: statement for statement in Statement.objects.filter(period=period)}
    stores = Location.objects.filter(kind=LocationKind.STORE).filter(
        Q(active=True, commission_eligible=True) | Q(pk__in=list(totals)) | Q(pk__in=list(statements))
    )
    rows = []
    for store in stores.order_by("code"):
        total = totals.get(store.pk, {})
        rows.append(
            NetworkRow(
                store=store,
                credits=cents(total.get("credits") or ZERO),
                reversals=cents(total.get("reversals") or ZERO),
                net=cents(total.get("net") or ZERO),
                entries=total.get("entries") or 0,
                statement=statements.get(store.pk),
            )
        )
    return rows


def entry_reason(entry: CommissionEntry) -> str:
    """Why this store got this entry, in a sentence for the manager."""
    explanation = entry.explanation or {}
    source = LocationSource(entry.location_source).label if entry.location_source in LocationSource.values else ""
    if explanation.get("role") == "assisted":
        text = _("Selling store of an endless-aisle order (assisted share)")
    elif explanation.get("beneficiary") == "pickup":
        text = _("Pickup store chosen by the customer")
    else:
        text = _("Nearest eligible store to the delivery address (%(source)s)") % {"source": source}
    if entry.kind == EntryKind.REVERSAL:
        status = explanation.get("reversal", "")
        label = OrderStatus(status).label if status in OrderStatus.values else status
        text = _("Reversal (%(status)s) · %(reason)s") % {"status": label, "reason": text}
    return text
