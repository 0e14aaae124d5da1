"""Stock writes: the single place stock is reserved, released, shipped and returned.

Every change is a conditional UPDATE whose row count is checked (never read-then-write), rows are
touched in one total order (reservations by (product, location), the other moves by stock id) so two
multi-line orders can never wait on each other in a cycle,
and every change writes a StockMovement in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MovementKind, StockLevel, StockMovement


@dataclass(frozen=True)
class StockLine:
    """`quantity` units of one product at one location; `label` (usually the SKU) names it in errors."""

    location_id: int
    product_id: int
    quantity: int
    label: str = ""


@dataclass(frozen=True)
class ShortLine:
    """A line that cannot be reserved: what was asked and what is still possible there now."""

    label: str
    location_id: int
    requested: int
    available: int


class StockError(Exception):
    """A stock rule said no; the message is safe to show."""


class InsufficientStock(StockError):
    """Some lines are short. Nothing was reserved. `short` names each short line and what is still possible."""

    def __init__(self, short: list[ShortLine]) -> None:
        self.short = short
        parts = [
            _("%(label)s: %(requested)s requested, %(available)s available")
            % {"label": s.label, "requested": s.requested, "available": s.available}
            for s in short
        ]
        super().__init__(_("Not enough stock. ") + "; ".join(parts))


class StockInconsistent(StockError):
    """A release, ship or return does not match what the row holds (a bug or a double call): nothing changed."""


def _merge(lines: Iterable[StockLine]) -> dict[tuple[int, int], list[StockLine]]:
    merged: dict[tuple[int, int], list[StockLine]] = defaultdict(list)
    for line in lines:
        if line.quantity < 0:
            raise StockError(_("A quantity cannot be negative."))
        if line.quantity:
            merged[(line.location_id, line.product_id)].append(line)
    return merged


def _stock_ids(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    pairs = list(pairs)
    if not pairs:
        return {}
    locations = {location for location, _product in pairs}
    products = {product for _location, product in pairs}
    rows = StockLevel.objects.filter(location_id__in=locations, product_id__in=products).values_list(
        "location_id", "product_id", "pk"
    )
    wanted = set(pairs)
    return {(loc, prod): pk for loc, prod, pk in rows if (loc, prod) in wanted}


def _movements(kind: str, touched: list[tuple[int, int, int]], reference: str, occurred_at: dt.datetime) -> None:
    """`touched` holds (stock id, on_hand delta, reserved delta)."""
    StockMovement.objects.bulk_create(
        StockMovement(
            stock_id=stock_id,
            kind=kind,
            on_hand_delta=on_hand_delta,
            reserved_delta=reserved_delta,
            occurred_at=occurred_at,
            reference=reference[:100],
        )
        for stock_id, on_hand_delta, reserved_delta in touched
    )


def stock_lock_order(pair: tuple[int, int]) -> tuple[int, int]:
    """The one order every stock write locks (location_id, product_id) rows in, by (product, location): two
    writers touching the same rows then never hold one each while waiting for the other (deadlock). The
    reservation service, releases, shipments, returns and the stock feed (inventory.ingest) all use it."""
    location_id, product_id = pair
    return product_id, location_id


def _reserve_sql() -> str:
    table = StockLevel._meta.db_table
    return (
        f"UPDATE {table} SET reserved = reserved + %s "
        "WHERE product_id = %s AND location_id = %s AND on_hand - reserved - safety_stock >= %s RETURNING id"
    )


@transaction.atomic
def stock_reserve(*, lines: Sequence[StockLine], reference: str, occurred_at: dt.datetime | None = None) -> None:
    """Reserve every line or none. Raises InsufficientStock naming every short line (nothing reserved).

    One conditional UPDATE per row, found by its unique key (product, location), in `stock_lock_order`, the order
    releases, shipments and returns lock rows in too, so no two writers can wait on each other in a cycle.
    """
    occurred_at = occurred_at or timezone.now()
    merged = _merge(lines)
    touched: list[tuple[int, int, int]] = []
    failed: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for pair in sorted(merged, key=stock_lock_order):
            location_id, product_id = pair
            quantity = sum(line.quantity for line in merged[pair])
            cursor.execute(_reserve_sql(), [quantity, product_id, location_id, quantity])
            row = cursor.fetchone()
            if row is None:
                failed.append(pair)
            else:
                touched.append((row[0], 0, quantity))
    if failed:
        # Raising out of the atomic block below rolls back the rows already reserved above.
        condition = Q()
        for location_id, product_id in failed:
            condition |= Q(location_id=location_id, product_id=product_id)
        atp = {(row.location_id, row.product_id): row.atp for row in StockLevel.objects.filter(condition)}
        raise InsufficientStock(
            [
                ShortLine(line.label, pair[0], line.quantity, atp.get(pair, 0))
                for pair in failed
                for line in merged[pair]
            ]
        )
    _movements(MovementKind.RESERVE, touched, reference, occurred_at)


def _apply(
    *,
    kind: str,
    lines: Sequence[StockLine],
    reference: str,
    occurred_at: dt.datetime | None,
    on_hand_sign: int,
    reserved_sign: int,
    create_missing: bool = False,
) -> None:
    occurred_at = occurred_at or timezone.now()
    merged = _merge(lines)
    ids = _stock_ids(merged)
    for pair in merged:
        if pair not in ids:
            if not create_missing:
                raise StockInconsistent(_("No stock row for %(label)s.") % {"label": merged[pair][0].label})
            stock, _created = StockLevel.objects.get_or_create(
                location_id=pair[0], product_id=pair[1], defaults={"as_of": occurred_at}
            )
            ids[pair] = stock.pk
    touched: list[tuple[int, int, int]] = []
    for pair, stock_id in sorted(ids.items(), key=lambda item: stock_lock_order(item[0])):
        quantity = sum(line.quantity for line in merged[pair])
        rows = StockLevel.objects.filter(pk=stock_id)
        changes: dict = {}
        if reserved_sign:
            changes["reserved"] = F("reserved") + reserved_sign * quantity
            if reserved_sign < 0:
                rows = rows.filter(reserved__gte=quantity)
        if on_hand_sign:
            changes["on_hand"] = F("on_hand") + on_hand_sign * quantity
            # on_hand is the feed's fact: a snapshot taken before this movement is now stale.
            changes["as_of"] = Greatest(F("as_of"), Value(occurred_at))
            if on_hand_sign < 0:
                rows = rows.filter(on_hand__gte=quantity)
        if not rows.update(**changes):
            raise StockInconsistent(
                _("%(label)s: the stock row does not hold %(quantity)s to %(kind)s.")
                % {"label": merged[pair][0].label, "quantity": quantity, "kind": kind}
            )
        touched.append((stock_id, on_hand_sign * quantity, reserved_sign * quantity))
    _movements(kind, touched, reference, occurred_at)


@transaction.atomic
def stock_release(*, lines: Sequence[StockLine], reference: str, occurred_at: dt.datetime | None = None) -> None:
    """Give reserved units back to ATP (a cancelled or uncollected order)."""
    _apply(
        kind=MovementKind.RELEASE,
        lines=lines,
        reference=reference,
        occurred_at=occurred_at,
        on_hand_sign=0,
        reserved_sign=-1,
    )


@transaction.atomic
def stock_ship(*, lines: Sequence[StockLine], reference: str, occurred_at: dt.datetime | None = None) -> None:
    """Reserved units leave the location: on_hand −= q and reserved −= q."""
    _apply(
        kind=MovementKind.SHIP,
        lines=lines,
        reference=reference,
        occurred_at=occurred_at,
        on_hand_sign=-1,
        reserved_sign=-1,
    )


@transaction.atomic
def stock_return(*, lines: Sequence[StockLine], reference: str, occurred_at: dt.datetime | None = None) -> None:
    """Returned units come back into on_hand at the location."""
    _apply(
        kind=MovementKind.RETURN,
        lines=lines,
        reference=reference,
        occurred_at=occurred_at,
        on_hand_sign=1,
        reserved_sign=0,
        create_missing=True,
    )
