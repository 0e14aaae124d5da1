"""Reads about orders that more than one caller needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet, Sum

from omniportal.access import scope_to_stores
from omniportal.geo import haversine_km

from .models import CommissionEntry, DeliveryMethod, EntryKind, Order, OrderStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from inventory.models import Location


def pickups_to_prepare(*, store: Location) -> QuerySet[Order]:
    """Pickup orders at `store` not yet ready, oldest first."""
    return (
        Order.objects.filter(pickup_store=store, delivery_method=DeliveryMethod.PICKUP, status=OrderStatus.PLACED)
        .select_related("customer")
        .order_by("placed_at")
    )


# --- fulfilment plan ----------------------------------------------------------------------------------------

# Per line, only the nearest few locations that can serve it are considered for the plan: the cover search is
# exact over those, and a farther location never beats a nearer one that serves the same line.
PLAN_CANDIDATES_PER_LINE = 12


@dataclass(frozen=True)
class PlanRequest:
    """One basket line: `source_id` is the associate's override (None = follow the plan)."""

    key: int
    product_id: int
    sku: str
    quantity: int
    source_id: int | None = None


@dataclass
class SourceOption:
    location: Location
    atp: int
    distance_km: float | None


@dataclass
class PlanLine:
    request: PlanRequest
    location: Location | None
    distance_km: float | None
    overridden: bool
    options: list[SourceOption] = field(default_factory=list)

    @property
    def is_short(self) -> bool:
        return self.location is None


@dataclass
class FulfilmentPlan:
    lines: list[PlanLine]

    @property
    def locations(self) -> list[Location]:
        seen: dict[int, Location] = {}
        for line in self.lines:
            if line.location is not None:
                seen.setdefault(line.location.pk, line.location)
        return list(seen.values())

    @property
    def short_lines(self) -> list[PlanLine]:
        return [line for line in self.lines if line.is_short]

    @property
    def total_distance_km(self) -> float:
        by_location = {line.location.pk: line.distance_km or 0.0 for line in self.lines if line.location}
        return sum(by_location.values())


def _distance(location: Location, origin: tuple[float, float] | None) -> float | None:
    if origin is None:
        return None
    return haversine_km(origin[0], origin[1], location.lat, location.lon)


def fulfilment_plan(*, requests: list[PlanRequest], origin: tuple[float, float] | None) -> FulfilmentPlan:
    """The fewest shipping locations that cover every line (each line from one location), then the shortest
    total distance from those locations to `origin` (the delivery address). Overridden lines keep their source.

    One query: every active ship-to-home location holding ATP of any requested product.
    """
    from inventory.models import Location, StockLevel, atp_expression

    product_ids = {r.product_id for r in requests}
    rows = (
        StockLevel.objects.filter(product_id__in=product_ids, location__active=True, location__ships_to_home=True)
        .annotate(available=atp_expression())
        .filter(available__gt=0)
        .select_related("location")
    )
    stock: dict[int, list[SourceOption]] = {pid: [] for pid in product_ids}
    for row in rows:
        stock[row.product_id].append(SourceOption(row.location, row.available, _distance(row.location, origin)))
    for options in stock.values():
        options.sort(key=lambda o: (o.distance_km if o.distance_km is not None else 0.0, o.location.code))

    override_ids = {r.source_id for r in requests if r.source_id is not None}
    overrides = {loc.pk: loc for loc in Location.objects.filter(pk__in=override_ids)} if override_ids else {}

    lines: dict[int, PlanLine] = {}
    open_requests: list[PlanRequest] = []
    for request in requests:
        options = [o for o in stock[request.product_id] if o.atp >= request.quantity]
        if request.source_id is not None and request.source_id in overrides:
            location = overrides[request.source_id]
            lines[request.key] = PlanLine(request, location, _distance(location, origin), True, options)
        elif not options:
            lines[request.key] = PlanLine(request, None, None, False, options)
        else:
            lines[request.key] = PlanLine(request, None, None, False, options)
            open_requests.append(request)

    fixed = {line.location.pk for line in lines.values() if line.location is not None}
    candidates = {
        r.key: {o.location.pk: o for o in lines[r.key].options[:PLAN_CANDIDATES_PER_LINE]} for r in open_requests
    }
    chosen = _cheapest_cover(open_requests, candidates, fixed)
    for request in open_requests:
        serving = [candidates[request.key][pk] for pk in chosen if pk in candidates[request.key]]
        best = min(serving, key=lambda o: (o.distance_km or 0.0, o.location.code))
        lines[request.key].location = best.location
        lines[request.key].distance_km = best.distance_km
    return FulfilmentPlan([lines[r.key] for r in requests])


def _cheapest_cover(
    requests: list[PlanRequest], candidates: dict[int, dict[int, SourceOption]], fixed: set[int]
) -> set[int]:
    """Smallest set of extra locations (beyond `fixed`) serving every request, ties by total distance.

    Iterative deepening over "the first uncovered line picks one of its candidates": exact, and small because
    baskets are short and each line has at most PLAN_CANDIDATES_PER_LINE candidates.
    """
    if not requests:
        return set()
    distance = {pk: (o.distance_km or 0.0) for options in candidates.values() for pk, o in options.items()}

    best: tuple[float, frozenset[int]] | None = None

    def search(chosen: frozenset[int], budget: int) -> None:
        nonlocal best
        cost = sum(distance[pk] for pk in chosen - fixed)
        if best is not None and cost >= best[0]:
            return
        uncovered = next((r for r in requests if not (chosen & candidates[r.key].keys())), None)
        if uncovered is None:
            best = (cost, chosen)
            return
        if budget == 0:
            return
        for pk in candidates[uncovered.key]:
            search(chosen | {pk}, budget - 1)

    start = frozenset(fixed)
    for size in range(0, len(requests) + 1):
        search(start, size)
        if best is not None:
            return set(best[1])
    return set()  # unreachable: each open request has at least one candidate


# --- click and collect --------------------------------------------------------------------------------------


def pickups_ready(*, store: Location, overdue_before: dt.datetime) -> list[Order]:
    """Pickup orders at `store` waiting at the counter, oldest first; `ready_since` and `is_overdue` set on each."""
    orders = list(
        Order.objects.filter(pickup_store=store, delivery_method=DeliveryMethod.PICKUP, status=OrderStatus.READY)
        .select_related("customer")
        .annotate(ready_since=Max("history__occurred_at", filter=Q(history__to_status=OrderStatus.READY)))
        .order_by("ready_since", "pk")
    )
    for order in orders:
        order.is_overdue = order.ready_since is not None and order.ready_since < overdue_before
    return orders


def pickups_collected(*, store: Location, since: dt.datetime) -> QuerySet[Order]:
    """Pickup orders at `store` collected since `since`, newest first."""
    return (
        Order.objects.filter(
            pickup_store=store,
            delivery_method=DeliveryMethod.PICKUP,
            status=OrderStatus.COLLECTED,
            updated_at__gte=since,
        )
        .select_related("customer")
        .order_by("-updated_at")
    )


# --- commissions --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionPeriodTotals:
    """A store's month over every ledger entry: what the manager approves, whatever page of entries is shown."""

    credits: Decimal
    reversals: Decimal
    net: Decimal
    entries: int


def commission_period_totals(*, user: AbstractBaseUser, store: Location, period: dt.date) -> CommissionPeriodTotals:
    """Credits, reversals, net and entry count of `store` in `period`, scoped to the user's stores (one query)."""
    totals = scope_to_stores(CommissionEntry.objects.filter(store=store, period=period), user).aggregate(
        credits=Sum("amount", filter=Q(kind=EntryKind.CREDIT)),
        reversals=Sum("amount", filter=Q(kind=EntryKind.REVERSAL)),
        net=Sum("amount"),
        entries=Count("id"),
    )
    return CommissionPeriodTotals(
        credits=_cents(totals["credits"]),
        reversals=_cents(totals["reversals"]),
        net=_cents(totals["net"]),
        entries=totals["entries"] or 0,
    )


def _cents(value: Decimal | None) -> Decimal:
    # SQLite sums decimals loosely ("7.5"); money is shown with its two decimals everywhere.
    return Decimal(value or 0).quantize(Decimal("0.01"))
