"""Reads about orders that more than one caller needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round

from inventory.models import StockLevel, atp_expression
from inventory.selectors import nearest_first
from omniportal.access import scope_to_stores, store_ids
from omniportal.geo import haversine_km
from omniportal.models import Location, LocationKind
from omniportal.money import cents

from .models import (
    MONEY_FIELD,
    Basket,
    BasketStatus,
    CommissionEntry,
    DeliveryMethod,
    EntryKind,
    Order,
    OrderChannel,
    OrderLine,
    OrderStatus,
    Sale,
    line_net_expression,
)
from .transitions import allowed_moves

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import AbstractBaseUser

    from clienteling.models import Customer


def open_basket(*, customer: Customer, store: Location) -> Basket | None:
    """The customer's open endless-aisle basket at `store` (one open basket per customer and store), or None."""
    return (
        Basket.objects.filter(customer=customer, store=store, status=BasketStatus.OPEN)
        .select_related("store")
        .order_by("-pk")
        .first()
    )


def pickups_to_prepare(*, store: Location) -> QuerySet[Order]:
    """Pickup orders at `store` not yet ready, oldest first."""
    return (
        Order.objects.filter(pickup_store=store, delivery_method=DeliveryMethod.PICKUP, status=OrderStatus.PLACED)
        .select_related("customer")
        .order_by("placed_at")
    )


# --- click and collect: where a customer may collect ------------------------------------------------------


def is_pickup_store(location: Location | None) -> bool:
    """May a customer collect an order at `location`? An active store that offers pickup (as pickup_stores)."""
    return location is not None and location.active and location.offers_pickup and location.kind == LocationKind.STORE


# How many stores the checkout offers to collect at: this store and the nearest to the customer. The choice is a
# select on a tablet; a network of 500 pickup stores would make it unusable (and cost a third of the page).
PICKUP_CHOICES = 12


def pickup_stores(
    *,
    first: Location | None = None,
    near: tuple[float, float] | None = None,
    chosen: int | None = None,
    limit: int = PICKUP_CHOICES,
) -> list[Location]:
    """The stores where a customer may collect an order, for a checkout: `first` (the tablet's store) when it is
    one, then the `limit` nearest to `near` (the customer's home; else by name), and `chosen` (a store picked
    earlier) wherever it is. Nearest first in SQL, so one short query however large the network."""
    pickup = Location.objects.filter(kind=LocationKind.STORE, active=True, offers_pickup=True).only(
        "pk", "code", "name", "city", "lat", "lon", "kind", "active", "offers_pickup"
    )
    ordered = nearest_first(pickup, near) if near is not None else pickup.order_by("name")
    wanted = {pk for pk in (first.pk if first is not None else None, chosen) if pk is not None}
    nearest = list(ordered.exclude(pk__in=wanted)[:limit]) if wanted else list(ordered[:limit])
    extra = list(pickup.filter(pk__in=wanted)) if wanted else []
    ahead = [store for store in extra if first is not None and store.pk == first.pk]
    behind = [store for store in extra if first is None or store.pk != first.pk]
    return [*ahead, *nearest, *behind]


# --- fulfilment plan ----------------------------------------------------------------------------------------

# The cover search weighs each line's nearest location and the locations serving two or more of the lines, at
# most this many of those (the ones serving the most lines first). A location serving a single line is never
# better than that line's nearest one, so within this bound the search is exact.
PLAN_SHARED_CANDIDATES = 64
# Nodes the exact search may visit per plan; past them the best plan found so far stands (at worst the greedy
# one). It keeps an awkward basket as quick to plan as a simple one: the plan is drawn on every checkout render.
PLAN_SEARCH_NODES = 1_000


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
    """One line of the plan. `options` can ship the whole line (a line ships from one location); a short line
    has none, and `most_available` is then the location holding the most of it: what is still possible."""

    request: PlanRequest
    location: Location | None
    distance_km: float | None
    overridden: bool
    options: list[SourceOption] = field(default_factory=list)
    most_available: SourceOption | None = None

    @property
    def is_short(self) -> bool:
        return self.location is None


@dataclass
class FulfilmentPlan:
    lines: list[PlanLine]
    # Whether the distances are to the delivery point itself (False: the address is not on the map, and they
    # are to the selling store, which only ranks the locations).
    located: bool = True

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


def _nearest_first(option: SourceOption) -> tuple[float, str]:
    return (option.distance_km or 0.0, option.location.code)


def fulfilment_plan(
    *, requests: list[PlanRequest], origin: tuple[float, float] | None, pickup_store: Location | None = None
) -> FulfilmentPlan:
    """The fewest shipping locations that cover every line (each line from one location), then the shortest
    total distance from those locations to `origin` (the delivery address). Overridden lines keep their source,
    and lines their locations can serve join them.

    A pickup order takes what `pickup_store` holds from its own shelf, whether or not it ships to homes: those
    lines do not travel, and the others are planned to it as to a home. An override that cannot send to this delivery (a store that ships to no home, for a
    home delivery) is not followed.

    Two queries: the ATP of each requested product at every active location that may send it holding some,
    then those locations (and the overridden ones), each built once however many lines it holds.
    """
    product_ids = {r.product_id for r in requests}
    may_send = Q(location__ships_to_home=True)
    if pickup_store is not None:
        may_send |= Q(location_id=pickup_store.pk)
    rows = list(
        StockLevel.objects.filter(may_send, product_id__in=product_ids, location__active=True)
        .annotate(available=atp_expression())
        .filter(available__gt=0)
        .values_list("product_id", "location_id", "available")
    )
    override_ids = {r.source_id for r in requests if r.source_id is not None}
    locations = Location.objects.in_bulk({location_id for _, location_id, _ in rows} | override_ids)
    distances = {pk: _distance(location, origin) for pk, location in locations.items()}
    stock: dict[int, list[SourceOption]] = {pid: [] for pid in product_ids}
    for product_id, location_id, available in rows:
        if location_id in locations:  # else deleted between the two queries
            stock[product_id].append(SourceOption(locations[location_id], available, distances[location_id]))
    for options in stock.values():
        options.sort(key=_nearest_first)
    pickup_id = pickup_store.pk if pickup_store is not None else None
    overrides = {
        pk: locations[pk]
        for pk in override_ids
        if pk in locations and locations[pk].active and (locations[pk].ships_to_home or pk == pickup_id)
    }

    lines: dict[int, PlanLine] = {}
    open_lines: list[PlanLine] = []
    for request in requests:
        held = stock[request.product_id]
        options = [o for o in held if o.atp >= request.quantity]
        if request.source_id is not None and request.source_id in overrides:
            location = overrides[request.source_id]
            lines[request.key] = PlanLine(request, location, distances[location.pk], True, options)
        elif shelf := next((o for o in options if o.location.pk == pickup_id), None):
            # Already where the customer collects it: it does not travel.
            lines[request.key] = PlanLine(request, shelf.location, shelf.distance_km, False, options)
        elif not options:
            most = min(held, key=lambda o: (-o.atp, *_nearest_first(o)), default=None)
            lines[request.key] = PlanLine(request, None, None, False, options, most_available=most)
        else:
            lines[request.key] = PlanLine(request, None, None, False, options)
            open_lines.append(lines[request.key])

    # A hand-picked location ships anyway: a line it can serve costs no extra location.
    fixed = {line.location.pk for line in lines.values() if line.location is not None}
    to_cover = {
        line.request.key: line.options for line in open_lines if not any(o.location.pk in fixed for o in line.options)
    }
    shipping = fixed | _cheapest_cover(to_cover)
    for line in open_lines:
        best = next(o for o in line.options if o.location.pk in shipping)  # options are nearest first
        line.location, line.distance_km = best.location, best.distance_km
    return FulfilmentPlan([lines[r.key] for r in requests])


def _cheapest_cover(options_by_line: dict[int, list[SourceOption]]) -> set[int]:
    """Ids of the fewest locations that together serve every line, then of the least total distance.

    Each line's options are non-empty and sorted nearest first. Lines sharing no candidate location are planned
    apart; each group starts from the greedy cover (most lines first, then nearest) and a branch and bound
    improves on it: exact over the candidates (PLAN_SHARED_CANDIDATES) within PLAN_SEARCH_NODES. Between
    equally good plans the first found wins, so the same basket always gets the same plan.
    """
    candidates = _cover_candidates(options_by_line)
    budget = [PLAN_SEARCH_NODES]
    chosen: set[int] = set()
    for group in _independent_groups([mask for mask, _, _ in candidates]):
        members = [candidate for candidate in candidates if candidate[0] & group]
        chosen.update(members[i][2] for i in _cover_group(group, members, budget))
    return chosen


def _cover_candidates(options_by_line: dict[int, list[SourceOption]]) -> list[tuple[int, float, int]]:
    """(lines served as a bit mask, distance, location id) of the locations worth weighing, nearest first."""
    serves: dict[int, int] = {}
    rank: dict[int, tuple[float, str]] = {}
    nearest: set[int] = set()
    for bit, options in enumerate(options_by_line.values()):
        nearest.add(options[0].location.pk)
        for option in options:
            pk = option.location.pk
            serves[pk] = serves.get(pk, 0) | 1 << bit
            rank.setdefault(pk, _nearest_first(option))
    shared = sorted(
        (pk for pk, mask in serves.items() if mask.bit_count() > 1 and pk not in nearest),
        key=lambda pk: (-serves[pk].bit_count(), rank[pk]),
    )
    candidates: list[tuple[int, float, int]] = []
    for pk in sorted(nearest.union(shared[:PLAN_SHARED_CANDIDATES]), key=rank.__getitem__):
        mask = serves[pk]
        # A nearer location serving all of these lines (and maybe more) is never the worse choice.
        if all(mask & ~other for other, _, _ in candidates):
            candidates.append((mask, rank[pk][0], pk))
    return candidates


def _independent_groups(masks: list[int]) -> list[int]:
    """The lines (bit masks) linked by candidates serving several of them; a group is planned on its own."""
    groups: list[int] = []
    for mask in masks:
        joined, apart = mask, []
        for group in groups:
            if group & mask:
                joined |= group
            else:
                apart.append(group)
        groups = [*apart, joined]
    return groups


def _cover_group(lines: int, candidates: list[tuple[int, float, int]], budget: list[int]) -> list[int]:
    """Indexes into `candidates` (nearest first) of the cheapest cover of `lines`; `budget[0]` nodes are left."""
    masks = [mask for mask, _, _ in candidates]
    distances = [distance for _, distance, _ in candidates]
    if len(candidates) == 1:
        return [0]

    uncovered, greedy = lines, []
    while uncovered:
        pick = max(range(len(masks)), key=lambda i: ((masks[i] & uncovered).bit_count(), -i))
        greedy.append(pick)
        uncovered &= ~masks[pick]
    best_pick, best_count, best_distance = greedy, len(greedy), sum(distances[i] for i in greedy)

    serving = {line: [i for i, mask in enumerate(masks) if mask & line] for line in _bits(lines)}

    def search(uncovered: int, picked: list[int], distance: float) -> None:
        nonlocal best_pick, best_count, best_distance
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if not uncovered:
            if (len(picked), distance) < (best_count, best_distance):
                best_pick, best_count, best_distance = picked, len(picked), distance
            return
        reach = max(map(int.bit_count, map(uncovered.__and__, masks)))  # most lines one location adds
        fewest = len(picked) - (-uncovered.bit_count() // reach)  # plus ceil(uncovered / reach) more at least
        if fewest > best_count:
            return
        # Branch on the line with the fewest locations serving it; one of them is in every cover.
        choices = serving[min(_bits(uncovered), key=lambda line: len(serving[line]))]
        if fewest == best_count and distance + distances[choices[0]] >= best_distance:
            return
        for i in sorted(choices, key=lambda i: -(masks[i] & uncovered).bit_count()):
            search(uncovered & ~masks[i], [*picked, i], distance + distances[i])

    search(lines, [], 0.0)
    return best_pick


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low
        mask ^= low


# --- click and collect --------------------------------------------------------------------------------------


def lines_with_products() -> Prefetch:
    """An order's lines with their product and source, in order: what a list shows of each order (one query)."""
    return Prefetch("lines", queryset=OrderLine.objects.select_related("product", "source").order_by("pk"))


def pickups_ready(*, store: Location, overdue_before: dt.datetime, with_lines: bool = False) -> list[Order]:
    """Pickup orders at `store` waiting at the counter, oldest first; `ready_since` and `is_overdue` set on each.
    `with_lines`: their lines too (lines_with_products)."""
    orders = (
        Order.objects.filter(pickup_store=store, delivery_method=DeliveryMethod.PICKUP, status=OrderStatus.READY)
        .select_related("customer")
        .annotate(ready_since=Max("history__occurred_at", filter=Q(history__to_status=OrderStatus.READY)))
        .order_by("ready_since", "pk")
    )
    orders = list(orders.prefetch_related(lines_with_products()) if with_lines else orders)
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
        credits=cents(totals["credits"]),
        reversals=cents(totals["reversals"]),
        net=cents(totals["net"]),
        entries=totals["entries"] or 0,
    )


# --- who may open an order, what a location ships -----------------------------------------------------------


def orders_visible_to(*, user: AbstractBaseUser) -> QuerySet[Order]:
    """The orders a person may open and move: every one for head office; for anyone else those one of their
    stores sold, hands over at pickup, or ships a line from (an endless-aisle line sourced at another store)."""
    stores = store_ids(user)
    if stores is None:
        return Order.objects.all()
    # The few store ids as literals, not a subquery repeated in each branch: PostgreSQL then plans the three
    # conditions on the orders' own columns and one probe of the order's lines (docs/performance.md, "Why the
    # code is shaped so").
    ships_a_line = OrderLine.objects.filter(order=OuterRef("pk"), source_id__in=stores)
    return Order.objects.filter(Q(selling_store_id__in=stores) | Q(pickup_store_id__in=stores) | Exists(ships_a_line))


@dataclass(frozen=True)
class OrderAccess:
    """What a person may do with one order they can see (orders_visible_to)."""

    moves: set[str]  # statuses they may move it to
    # The parcels they send, shipped or not, by the location that holds them (None: lines no location holds).
    ship_from: set[int | None]


def sends_parcel(stores: frozenset[int] | None, source_id: int | None, source_kind: str | None) -> bool:
    """Does a person working for `stores` (None: head office) send the parcel of the lines held at this source?

    Only the location that holds the goods knows they left: its own people mark its parcel shipped. Head office
    speaks for the warehouses (their systems report through the API, head office by hand when one does not) and
    for lines that no location of the portal holds (an online order's outside warehouse). Nobody else does:
    a parcel marked shipped by another store would drop off the sending store's "To ship" list, unpicked.
    """
    if stores is None:
        return source_id is None or source_kind == LocationKind.WAREHOUSE
    return source_id is not None and source_id in stores


def order_access(*, user: AbstractBaseUser, order: Order) -> OrderAccess:
    """Head office and the stores that sold an order or hand it over make every move the order allows, but
    `shipped` only for the parcels they send (sends_parcel). A store that only supplies a line (an endless-aisle
    order split across the network) may send its own parcel of a home delivery, nothing else: cancelling or
    handing over is the selling or pickup store's call. A pickup order has no parcel to mark shipped: it is
    handed over at the counter.

    One query: the order's lines and where they are held.
    """
    moves = allowed_moves(order)
    stores = store_ids(user)
    sends: set[int | None] = set()
    waiting: set[int | None] = set()
    if order.delivery_method == DeliveryMethod.HOME:
        for source_id, kind, shipped, quantity in order.lines.values_list(
            "source_id", "source__kind", "shipped_quantity", "quantity"
        ):
            if sends_parcel(stores, source_id, kind):
                sends.add(source_id)
                if shipped < quantity:
                    waiting.add(source_id)
    if not waiting:
        moves.discard(OrderStatus.SHIPPED)
    if stores is None or order.selling_store_id in stores or order.pickup_store_id in stores:
        return OrderAccess(moves, sends)
    if sends:
        return OrderAccess(moves & {OrderStatus.SHIPPED}, sends)
    return OrderAccess(set(), set())


def orders_to_ship_from(*, store: Location) -> QuerySet[Order]:
    """Placed orders with a line sourced at `store` not shipped yet, oldest first: what its people pick and pack.

    Each order carries `lines_here` (its lines sourced at `store`, with their product) and its selling and pickup
    stores. A pickup order handed over at `store` itself is left out: the pickup queue prepares it.
    """
    lines_here = OrderLine.objects.filter(source=store, shipped_quantity=0)
    return (
        Order.objects.filter(Exists(lines_here.filter(order=OuterRef("pk"))), status=OrderStatus.PLACED)
        .exclude(delivery_method=DeliveryMethod.PICKUP, pickup_store=store)
        .select_related("selling_store", "pickup_store")
        .prefetch_related(
            Prefetch("lines", queryset=lines_here.select_related("product").order_by("pk"), to_attr="lines_here")
        )
        .order_by("placed_at", "pk")
    )


def order_for_integration(*, reference: str, orders: QuerySet[Order] | None = None) -> Order | None:
    """The order an integrator names in a URL: the one with that external_id, else the one with that number.

    Endless-aisle orders have no external_id, so a warehouse system knows them by number. Each is unique on its
    own, but one order's external_id may spell another's number: the external_id wins.
    """
    orders = Order.objects.all() if orders is None else orders
    return orders.filter(external_id=reference).first() or orders.filter(number=reference).first()


# --- a customer's purchases across channels -----------------------------------------------------------------


def customers_with_lifetime_value(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """`customers` annotated with `value_orders` and `value_in_store`: what each kept of their orders, and their
    in-store sales, in the same query.

    An order line counts for the units neither cancelled nor returned, at its net price (discount included)
    prorated per unit, the rule commission reversals follow; cancelled and never-collected orders count nothing.
    """
    kept = F("quantity") - F("cancelled_quantity") - F("returned_quantity")
    # SQLite divides integer-valued decimals as integers; PostgreSQL's numeric division is exact.
    per = Cast("quantity", FloatField()) if connection.vendor == "sqlite" else F("quantity")
    kept_net = ExpressionWrapper(line_net_expression() * kept / per, output_field=MONEY_FIELD)
    online = (
        OrderLine.objects.filter(order__customer=OuterRef("pk"))
        .exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.NOT_COLLECTED])
        .values("order__customer")
        .annotate(total=Round(Sum(kept_net), 2))
        .values("total")
    )
    in_store = Sale.objects.filter(customer=OuterRef("pk")).values("customer").annotate(t=Sum("total")).values("t")
    zero = Value(Decimal("0"))
    return customers.annotate(
        value_orders=Coalesce(Subquery(online, output_field=MONEY_FIELD), zero, output_field=MONEY_FIELD),
        value_in_store=Coalesce(Subquery(in_store, output_field=MONEY_FIELD), zero, output_field=MONEY_FIELD),
    )


@dataclass
class ChannelOrder:
    """An order from any channel or an in-store sale, shaped alike for one list."""

    kind: str  # "order" or "sale"
    reference: str
    channel: str
    when: dt.datetime
    status: str
    total: Decimal
    currency: str
    store_name: str
    number: str = ""
    openable: bool = False  # an order `viewer` may open (orders_visible_to)


def customer_orders(
    *, customer: Customer, viewer: AbstractBaseUser | None = None, limit: int = 20
) -> list[ChannelOrder]:
    """Online, endless-aisle and in-store purchases, newest first (two queries, three with a `viewer`). With a
    `viewer`, each order says whether they may open it: the profile lists orders from the whole network.

    Plain `values()` rows and a per-order subquery for the total: this runs on every profile view, and
    grouping whole order rows (with their stores) costs more to build and run than the lines' sum.
    """
    total = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(t=Sum(line_net_expression()))
        .values("t")
    )
    orders = list(
        Order.objects.filter(customer=customer)
        .annotate(
            total=Coalesce(Subquery(total, output_field=MONEY_FIELD), Value(Decimal("0")), output_field=MONEY_FIELD),
            store_name=Coalesce(F("selling_store__name"), F("pickup_store__name"), Value("")),
        )
        .order_by("-placed_at")
        .values("number", "channel", "placed_at", "status", "total", "currency", "store_name")[:limit]
    )
    sales = (
        Sale.objects.filter(customer=customer)
        .order_by("-sold_at")
        .values("external_id", "sold_at", "total", "currency", "store__name")[:limit]
    )
    openable: set[str] = set()
    if viewer is not None and orders:
        # Its own small query: a correlated EXISTS per row costs more per profile view (planning and a hashed
        # subplan over every line shipped from the viewer's stores; docs/performance.md, "Why the code is shaped so").
        numbers = [order["number"] for order in orders]
        openable = set(orders_visible_to(user=viewer).filter(number__in=numbers).values_list("number", flat=True))
    channels, statuses = dict(OrderChannel.choices), dict(OrderStatus.choices)
    rows = [
        ChannelOrder(
            kind="order",
            reference=order["number"],
            number=order["number"],
            channel=str(channels.get(order["channel"], order["channel"])),
            when=order["placed_at"],
            status=str(statuses.get(order["status"], order["status"])),
            total=cents(order["total"]),
            currency=order["currency"],
            store_name=order["store_name"],
            openable=order["number"] in openable,
        )
        for order in orders
    ] + [
        ChannelOrder(
            kind="sale",
            reference=sale["external_id"],
            channel="store",
            when=sale["sold_at"],
            status="",
            total=cents(sale["total"]),
            currency=sale["currency"],
            store_name=sale["store__name"],
        )
        for sale in sales
    ]
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows[:limit]
