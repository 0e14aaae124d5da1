"""The ledger reads that the pages, the API and the CSV export share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet, Sum

from omniportal.access import scope_to_stores
from omniportal.models import Location, LocationKind
from omniportal.money import cents

from ..models import CommissionEntry, DeliveryMethod, EntryKind, LocationSource, Order, Statement
from .amounts import ZERO
from .periods import previous_month

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


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
    # The one currency of the store's entries that month; None without entries, or when they mix currencies.
    currency: str | None = None


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
            any_currency=Max("currency"),
            currencies=Count("currency", distinct=True),
        )
    }
    statements = {
        statement.store_id: statement
        for statement in Statement.objects.filter(period=period).select_related("reviewed_by", "finalised_by")
    }
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
                currency=total.get("any_currency") if total.get("currencies") == 1 else None,
            )
        )
    return rows


def commissions_held_count() -> int:
    """Home-delivery orders whose commission waits for a location (listed for head office)."""
    return (
        Order.objects.filter(delivery_method=DeliveryMethod.HOME)
        .filter(Q(location_source=LocationSource.UNLOCATED) | Q(delivery_lat__isnull=True))
        .count()
    )
