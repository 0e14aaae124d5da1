"""The services that write the commission ledger: crediting, reversals and the sweep (SPEC 2.5).

Exactly once: entries are inserted with `ON CONFLICT DO NOTHING` against the unique constraints
`commission_entry_once (order, store, event_key)` and `commission_entry_one_per_event (order, event_key)`,
and credited lines against `commission_credit_line_once (order, order_line)`. The database decides; nothing
here reads "is it credited yet?" before writing. Entries go in before lines, in one transaction: a racing
transaction waits on the winner's entry keys, then finds the winner's lines there too and adds none.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from inventory.nearest import StoreIndex, store_index
from omniportal.geo import haversine_km
from omniportal.models import Location

from ..models import (
    CommissionCreditLine,
    CommissionEntry,
    CommissionPolicy,
    DeliveryMethod,
    EntryKind,
    EntryRole,
    LocationSource,
    Order,
    OrderChannel,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    commission_event_key,
    line_net,
)
from .amounts import ONE, ZERO, CommissionLine, commission_amount, effective_rate, reversed_amount, split_amount
from .beneficiary import commission_beneficiary, order_point
from .explanations import credit_explanation, reversal_explanation, role_explanation
from .periods import local_period, month_start
from .policies import NoPolicyInForce, category_rates, policies_with_rates, policy_in_force
from .statements import entry_periods

logger = logging.getLogger(__name__)

REVERSAL_STATUSES = frozenset(
    {OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.PARTIALLY_RETURNED, OrderStatus.NOT_COLLECTED}
)


def _entry(*, role: EntryRole, status_change_id: int | None, **fields) -> CommissionEntry:
    """An entry for one store's part (`role`) of a credit, or of the reversal of a status change.

    Every entry is built here, so its unique event key always agrees with its typed columns.
    """
    return CommissionEntry(
        kind=EntryKind.CREDIT if status_change_id is None else EntryKind.REVERSAL,
        role=role,
        status_change_id=status_change_id,
        event_key=commission_event_key(role=role, status_change_id=status_change_id),
        **fields,
    )


# ── Writing, exactly once ───────────────────────────────────────────────────────────────────────────

_ENTRY_COLUMNS = (
    "order_id", "store_id", "kind", "role", "status_change_id", "event_key", "amount", "base_amount", "currency",
    "period", "distance_km", "location_source", "policy_id", "rate", "share", "explanation", "created_at",
)  # fmt: skip
_LINE_COLUMNS = ("order_id", "order_line_id", "sku", "quantity", "net", "rate")
# Both in one round trip (no parameters, so psycopg sends the two statements as one query).
_STAGING_TABLES = """
    CREATE TEMP TABLE IF NOT EXISTS commission_entry_incoming (
        order_id bigint, store_id bigint, kind varchar(10), role varchar(12), status_change_id bigint,
        event_key varchar(40), amount numeric(12, 2), base_amount numeric(12, 2), currency varchar(3), period date,
        distance_km double precision, location_source varchar(16), policy_id bigint, rate numeric(6, 4),
        share numeric(6, 4), explanation jsonb, created_at timestamptz
    ) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS commission_credit_line_incoming (
        order_id bigint, order_line_id bigint, sku varchar(64), quantity integer, net numeric(12, 2),
        rate numeric(6, 4)
    ) ON COMMIT DELETE ROWS
"""


def _copy_into(cursor, *, staging: str, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY rows into a staging table, then move them into the ledger table with ON CONFLICT DO NOTHING.

    The same guarantee as bulk_create(ignore_conflicts=True), without quoting thousands of values in Python.
    The move empties the staging table at once: in an enclosing transaction (the bench) its rows would
    otherwise stay until the commit and be inserted again by the next batch.
    """
    names = ", ".join(columns)
    with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        f"WITH incoming AS (DELETE FROM {staging} RETURNING {names}) "
        f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming ON CONFLICT DO NOTHING"
    )


def _copy(entries: list[CommissionEntry], lines: list[CommissionCreditLine]) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_STAGING_TABLES)
        _copy_into(
            cursor,
            staging="commission_entry_incoming",
            table=CommissionEntry._meta.db_table,
            columns=_ENTRY_COLUMNS,
            rows=(
                (
                    entry.order_id,
                    entry.store_id,
                    entry.kind,
                    entry.role,
                    entry.status_change_id,
                    entry.event_key,
                    entry.amount,
                    entry.base_amount,
                    entry.currency,
                    entry.period,
                    entry.distance_km,
                    entry.location_source,
                    entry.policy_id,
                    entry.rate,
                    entry.share,
                    json.dumps(entry.explanation),
                    now,
                )
                for entry in entries
            ),
        )
        if lines:
            _copy_into(
                cursor,
                staging="commission_credit_line_incoming",
                table=CommissionCreditLine._meta.db_table,
                columns=_LINE_COLUMNS,
                rows=(
                    (line.order_id, line.order_line_id, line.sku, line.quantity, line.net, line.rate) for line in lines
                ),
            )


def _insert(entries: list[CommissionEntry], lines: Sequence[CommissionCreditLine] = ()) -> None:
    """Insert entries (and, for credits, their credited lines) in one transaction, letting the unique
    constraints drop duplicates; periods move past finalised months."""
    if not entries:
        return
    lines = list(lines)
    with transaction.atomic():
        targets = entry_periods((entry.store_id, entry.period) for entry in entries)
        for entry in entries:
            entry.period = targets[(entry.store_id, entry.period)]
        if connection.vendor == "postgresql" and len(entries) > 20:
            _copy(entries, lines)
        else:
            CommissionEntry.objects.bulk_create(entries, ignore_conflicts=True)
            CommissionCreditLine.objects.bulk_create(lines, ignore_conflicts=True)


# ── Crediting ───────────────────────────────────────────────────────────────────────────────────────


@dataclass
class CreditResult:
    attempted: int = 0
    held: int = 0  # unlocated, no eligible store, or no policy: credited later by the sweep


@dataclass(frozen=True)
class _OrderLineRow:
    id: int
    sku: str
    quantity: int
    net: Decimal
    category_id: int | None


def _order_lines(order_ids: Sequence[int]) -> dict[int, list[_OrderLineRow]]:
    lines: dict[int, list[_OrderLineRow]] = defaultdict(list)
    rows = (
        OrderLine.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "id")
        .values_list("order_id", "id", "sku", "quantity", "unit_price", "discount", "product__category_id")
    )
    for order_id, line_id, sku, quantity, unit_price, discount, category_id in rows:
        lines[order_id].append(
            _OrderLineRow(line_id, sku, quantity, line_net(quantity, unit_price, discount), category_id)
        )
    return lines


@dataclass
class _Batch:
    """What crediting a batch of orders reads once, not once per order."""

    lines: dict[int, list[_OrderLineRow]]
    policies: list[CommissionPolicy]
    stores: dict[int, Location]
    index: StoreIndex
    tz: tzinfo
    rates: dict[int, dict[int, Decimal]]  # policy id → category id → rate, filled as policies are met

    def category_rates(self, policy: CommissionPolicy) -> dict[int, Decimal]:
        if policy.pk not in self.rates:
            self.rates[policy.pk] = category_rates(policy)
        return self.rates[policy.pk]


def _build_credit(order: Order, batch: _Batch) -> tuple[list[CommissionEntry], list[CommissionCreditLine]]:
    """The credit entries and credited lines of one order (periods not resolved yet), or nothing when held."""
    beneficiary = commission_beneficiary(order=order, stores=batch.stores, index=batch.index)
    if beneficiary is None:
        return [], []
    placed_on = order.placed_at.astimezone(batch.tz).date()
    policy = policy_in_force(on=placed_on, policies=batch.policies)
    rates = batch.category_rates(policy)
    order_lines = batch.lines.get(order.pk, [])
    lines = [
        CommissionLine(
            sku=row.sku, quantity=row.quantity, net=row.net, rate=rates.get(row.category_id, policy.default_rate)
        )
        for row in order_lines
    ]
    credited_lines = [
        CommissionCreditLine(
            order_id=order.pk, order_line_id=row.id, sku=line.sku, quantity=line.quantity, net=line.net, rate=line.rate
        )
        for row, line in zip(order_lines, lines, strict=True)
    ]
    base, amount, unrounded = commission_amount(lines=lines, currency=order.currency)
    point = order_point(order)
    explanation = credit_explanation(
        order=order, point=point, beneficiary=beneficiary, policy=policy, lines=lines, amount=amount
    )
    common = {
        "order_id": order.pk,
        "base_amount": base,
        "currency": order.currency,
        "period": month_start(placed_on),
        "location_source": order.location_source,
        "policy_id": policy.pk,
        "rate": effective_rate(lines=lines, base=base, unrounded=unrounded, default=policy.default_rate),
    }
    credit = {"role": EntryRole.BENEFICIARY, "status_change_id": None, "store_id": beneficiary.store_id}
    seller_id = order.selling_store_id
    if order.channel != OrderChannel.ENDLESS_AISLE or seller_id is None or seller_id == beneficiary.store_id:
        entry = _entry(
            **credit,
            amount=amount,
            distance_km=beneficiary.distance_km,
            share=ONE,
            explanation=role_explanation(explanation, role=EntryRole.BENEFICIARY, share=ONE),
            **common,
        )
        return [entry], credited_lines
    share = policy.assisted_share
    assisted, remainder = split_amount(amount=amount, share=share, currency=order.currency)
    seller = batch.stores.get(seller_id) or Location.objects.get(pk=seller_id)
    seller_km = haversine_km(point[0], point[1], seller.lat, seller.lon) if point else None
    explanation["selling_store"] = seller.code
    entries = [
        _entry(
            **credit,
            amount=remainder,
            distance_km=beneficiary.distance_km,
            share=ONE - share,
            explanation=role_explanation(explanation, role=EntryRole.BENEFICIARY, share=ONE - share),
            **common,
        ),
        _entry(
            role=EntryRole.ASSISTED,
            status_change_id=None,
            store_id=seller_id,
            amount=assisted,
            distance_km=seller_km,
            share=share,
            explanation=role_explanation(explanation, role=EntryRole.ASSISTED, share=share),
            **common,
        ),
    ]
    return entries, credited_lines


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
    store_ids = {order.pickup_store_id for order in orders} | {order.selling_store_id for order in orders}
    batch = _Batch(
        lines=_order_lines([order.pk for order in orders]),
        policies=policies_with_rates(),
        stores=Location.objects.in_bulk([pk for pk in store_ids if pk is not None]),
        index=store_index(commission_eligible=True),
        tz=timezone.get_current_timezone(),
        rates={},
    )
    entries: list[CommissionEntry] = []
    lines: list[CommissionCreditLine] = []
    for order in orders:
        result.attempted += 1
        try:
            built, credited = _build_credit(order, batch)
        except NoPolicyInForce:
            logger.error("order %s: no commission policy in force on its date; commission held", order.number)
            built, credited = [], []
        if not built:
            result.held += 1
        entries += built
        lines += credited
    _insert(entries, lines)
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


def _apply_change(cumulative: list[int], credited_lines: Sequence[CommissionLine], change: OrderStatusChange) -> None:
    """Add a change's quantities to the per-line cumulative reversed quantities (capped at each line's quantity)."""
    wanted = _change_quantities(change)
    for i, line in enumerate(credited_lines):
        room = line.quantity - cumulative[i]
        if room <= 0:
            continue
        if wanted is None:
            cumulative[i] += room
            continue
        take = min(room, wanted.get(line.sku, 0))
        if take:
            cumulative[i] += take
            wanted[line.sku] -= take


def _reversal_entries(
    *,
    change: OrderStatusChange,
    credits: Iterable[CommissionEntry],
    credited_lines: Sequence[CommissionLine],
    before: list[int],
    cumulative: list[int],
    already: dict[str, Decimal],
) -> list[CommissionEntry]:
    """Negative entries that bring the reversed total to the cumulative target, store by store.

    The target is the split of round(Σ net × reversed/quantity × rate); once every unit is reversed that is
    exactly the credited amount and split, so credits and reversals cancel to the cent. `already` is what
    earlier changes reversed, per role, as positive amounts.
    """
    by_role = {credit.role: credit for credit in credits}
    beneficiary, assisted = by_role[EntryRole.BENEFICIARY], by_role.get(EntryRole.ASSISTED)
    currency = beneficiary.currency
    base, total = reversed_amount(lines=credited_lines, before=before, cumulative=cumulative, currency=currency)
    targets = {EntryRole.BENEFICIARY: total}
    if assisted is not None:
        targets[EntryRole.ASSISTED], targets[EntryRole.BENEFICIARY] = split_amount(
            amount=total, share=assisted.share, currency=currency
        )
    reversed_quantities = {line.sku: n for line, n in zip(credited_lines, cumulative, strict=True) if n}
    entries = []
    for credit in (beneficiary, assisted):
        if credit is None:
            continue
        entries.append(
            _entry(
                role=EntryRole(credit.role),
                status_change_id=change.pk,
                order_id=credit.order_id,
                store_id=credit.store_id,
                amount=-(targets[credit.role] - already.get(credit.role, ZERO)),
                base_amount=-base,
                currency=currency,
                period=local_period(change.occurred_at),
                distance_km=credit.distance_km,
                location_source=credit.location_source,
                policy_id=credit.policy_id,
                rate=credit.rate,
                share=credit.share,
                explanation=reversal_explanation(
                    credit, reason=change.to_status, change_id=change.pk, reversed_quantities=reversed_quantities
                ),
            )
        )
    return entries


def _credits(order_id: int) -> dict[str, CommissionEntry]:
    """The order's credit entries by role."""
    return {entry.role: entry for entry in CommissionEntry.objects.filter(order_id=order_id, kind=EntryKind.CREDIT)}


def _credited_lines(order_id: int) -> list[CommissionLine]:
    """The order's lines as its credit counted them, in order-line order (the order the credit used)."""
    return [
        CommissionLine(sku=sku, quantity=quantity, net=net, rate=rate)
        for sku, quantity, net, rate in CommissionCreditLine.objects.filter(order_id=order_id)
        .order_by("order_line_id")
        .values_list("sku", "quantity", "net", "rate")
    ]


def _reversed_so_far(*, order_id: int, before_change: int) -> dict[str, Decimal]:
    """Already reversed per role (positive amounts), from the ledger, for the changes recorded before this one."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = CommissionEntry.objects.filter(
        order_id=order_id, kind=EntryKind.REVERSAL, status_change_id__lt=before_change
    ).values_list("role", "amount")
    for role, amount in rows:
        totals[role] -= amount
    return totals


def commissions_reverse_order(*, order_id: int) -> int:
    """Append the reversal entries of every cancellation/return of the order that has none yet.

    Reversals are cumulative, so they are applied in the order the changes were recorded. An order that
    was never credited is credited first (a reversal needs something to reverse); an unlocated one waits.
    Returns the number of changes reversed now.
    """
    changes = list(OrderStatusChange.objects.filter(order_id=order_id, to_status__in=REVERSAL_STATUSES).order_by("pk"))
    if not changes:
        return 0
    credits = _credits(order_id)
    if EntryRole.BENEFICIARY not in credits:
        commission_credit_order(order_id=order_id)
        credits = _credits(order_id)
        if EntryRole.BENEFICIARY not in credits:
            return 0
    credited_lines = _credited_lines(order_id)
    cumulative = [0] * len(credited_lines)
    reversed_now = 0
    for change in changes:
        before = list(cumulative)
        _apply_change(cumulative, credited_lines, change)
        if CommissionEntry.objects.filter(order_id=order_id, status_change=change).exists():
            continue
        already = _reversed_so_far(order_id=order_id, before_change=change.pk)
        _insert(
            _reversal_entries(
                change=change,
                credits=credits.values(),
                credited_lines=credited_lines,
                before=before,
                cumulative=cumulative,
                already=already,
            )
        )
        reversed_now += 1
    return reversed_now


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
    credited = CommissionEntry.objects.filter(order=OuterRef("pk"), kind=EntryKind.CREDIT, role=EntryRole.BENEFICIARY)
    located = Q(delivery_method=DeliveryMethod.PICKUP, pickup_store__isnull=False) | (
        Q(delivery_lat__isnull=False, delivery_lon__isnull=False) & ~Q(location_source=LocationSource.UNLOCATED)
    )
    return Order.objects.filter(located, created_at__lt=cutoff).filter(~Exists(credited))


def _reversal_missing(cutoff: datetime) -> QuerySet[OrderStatusChange]:
    # Probes the partial index entry_status_change (reversal entries only).
    reversed_ = CommissionEntry.objects.filter(status_change=OuterRef("pk"))
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
