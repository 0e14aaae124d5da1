"""Omnichannel insight report (SPEC 2.6): sum the daily facts of a period into bands, stores and a total, for
the stores a person may see. Reads the fact tables only (insights.facts builds them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from omniportal.access import is_head_office, scope_to_stores, user_stores
from omniportal.money import cents

from .facts import local_today
from .models import CartDayFact, DistanceBand, InfluenceDayFact, InsightDay, RopoDayFact, StoreDayFact

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from omniportal.models import Location


def _rate(part: int | Decimal, whole: int | Decimal) -> float | None:
    return None if not whole else round(float(part) * 100 / float(whole), 1)


@dataclass
class Totals:
    carts: int = 0
    ordered: int = 0
    abandoned: int = 0
    abandoned_known: int = 0
    abandoned_value: Decimal = Decimal("0.00")
    ropo_carts: int = 0
    ropo_revenue: Decimal = Decimal("0.00")
    sales_revenue: Decimal = Decimal("0.00")
    influenced_revenue: Decimal = Decimal("0.00")
    credited_orders: int = 0
    credited_amount: Decimal = Decimal("0.00")

    def add(self, **amounts: int | Decimal) -> None:
        # Only the measures given: this runs for every grouped fact row of a report.
        for name, amount in amounts.items():
            setattr(self, name, getattr(self, name) + amount)

    @property
    def abandonment_rate(self) -> float | None:
        return _rate(self.abandoned, self.carts)

    @property
    def conversion_rate(self) -> float | None:
        return _rate(self.ordered, self.carts)

    @property
    def ropo_share(self) -> float | None:
        return _rate(self.ropo_carts, self.abandoned_known)

    @property
    def influenced_share(self) -> float | None:
        return _rate(self.influenced_revenue, self.sales_revenue)


@dataclass
class BandRow(Totals):
    band: int = DistanceBand.UNKNOWN

    @property
    def label(self) -> str:
        return str(DistanceBand(self.band).label)


@dataclass
class StoreRow(Totals):
    store_id: int | None = None
    code: str = ""
    name: str = ""


@dataclass
class InsightReport:
    date_from: date
    date_to: date
    window_days: int
    scope_label: str
    bands: list[BandRow]
    stores: list[StoreRow]
    total: Totals
    days_in_period: int
    days_built: int
    last_built_at: datetime | None
    # ROPO for carts of the period's last `window_days` days has not had its whole window yet.
    window_still_open: bool
    # The one currency of every amount of the period; None when the days mix currencies, or when some were
    # built before currencies were recorded (then the amounts are shown without one).
    currency: str | None = None
    mixed_currencies: bool = False
    days_without_currency: int = 0
    unassigned: StoreRow | None = None
    # The paragraph that reads the report out: the page adds it (insights.presentation.insight_reading).
    reading: str = field(default="")

    @property
    def days_missing(self) -> int:
        return self.days_in_period - self.days_built


def insight_report(
    *, user: AbstractBaseUser, date_from: date, date_to: date, window_days: int, store: Location | None = None
) -> InsightReport:
    """The report for `user`'s stores (head office: the network, store-less carts included), from the facts.

    `store` must already be one of user_stores(user): the form checks it.
    """
    period = {"day__gte": date_from, "day__lte": date_to}
    built = InsightDay.objects.filter(**period).aggregate(
        days=Count("pk"),
        last=Max("rebuilt_at"),
        other_window=Count("pk", filter=~Q(window_days=window_days)),
        # Recorded per day for the whole network; the lowest and highest lists tell one currency from several.
        lowest_currencies=Min("currencies", filter=Q(currencies__gt="")),
        highest_currencies=Max("currencies", filter=Q(currencies__gt="")),
        without_currency=Count("pk", filter=Q(currencies__isnull=True)),
    )
    # The default window is summed in the cart and store rows at build time: read them unless a day of the
    # period was built with another default, or another window is asked for.
    precomputed = window_days == settings.ROPO_WINDOW_DAYS and not built["other_window"]
    cart_measures = {
        "carts": Sum("carts"),
        "ordered": Sum("ordered"),
        "abandoned": Sum("abandoned"),
        "abandoned_known": Sum("abandoned_known"),
        "abandoned_value": Sum("abandoned_value"),
    }
    store_measures = {
        "sales_revenue": Sum("sales_revenue"),
        "credited_orders": Sum("credited_orders"),
        "credited_amount": Sum("credited_amount"),
    }
    if precomputed:
        cart_measures |= {"ropo_carts": Sum("ropo_carts"), "ropo_revenue": Sum("ropo_revenue")}
        store_measures |= {"influenced_revenue": Sum("influenced_revenue")}
    cart_sums = (
        scope_to_stores(CartDayFact.objects.filter(**period), user=user, store=store)
        .values("store_id", "band")
        .annotate(**cart_measures)
        .order_by()
    )
    ropo_sums = (
        []
        if precomputed
        else scope_to_stores(RopoDayFact.objects.filter(**period, lag_days__lte=window_days), user=user, store=store)
        .values("store_id", "band")
        .annotate(ropo_carts=Sum("carts"), ropo_revenue=Sum("revenue"))
        .order_by()
    )
    store_sums = (
        scope_to_stores(StoreDayFact.objects.filter(**period), user=user, store=store)
        .values("store_id")
        .annotate(**store_measures)
        .order_by()
    )
    influence_sums = (
        []
        if precomputed
        else scope_to_stores(
            InfluenceDayFact.objects.filter(**period, lag_days__lte=window_days), user=user, store=store
        )
        .values("store_id")
        .annotate(influenced_revenue=Sum("revenue"))
        .order_by()
    )
    stores_in_scope = [store] if store is not None else list(user_stores(user).only("pk", "code", "name"))

    bands = {band.value: BandRow(band=band.value) for band in DistanceBand}
    rows = {s.pk: StoreRow(store_id=s.pk, code=s.code, name=s.name) for s in stores_in_scope}
    unassigned = StoreRow(store_id=None, code="", name=_("No nearest store (anonymous cart or no address)"))

    def row_for(store_id: int | None) -> StoreRow | None:
        return unassigned if store_id is None else rows.get(store_id)

    cart_counts = ("carts", "ordered", "abandoned", "abandoned_known")
    for item in cart_sums:
        delta = {name: item[name] for name in cart_counts}
        delta["abandoned_value"] = cents(item["abandoned_value"])
        if precomputed:
            delta |= {"ropo_carts": item["ropo_carts"], "ropo_revenue": cents(item["ropo_revenue"])}
        bands[item["band"]].add(**delta)
        if (target := row_for(item["store_id"])) is not None:
            target.add(**delta)
    for item in ropo_sums:
        delta = {"ropo_carts": item["ropo_carts"], "ropo_revenue": cents(item["ropo_revenue"])}
        bands[item["band"]].add(**delta)
        if (target := row_for(item["store_id"])) is not None:
            target.add(**delta)
    for item in store_sums:
        if (target := rows.get(item["store_id"])) is not None:
            target.add(
                sales_revenue=cents(item["sales_revenue"]),
                credited_orders=item["credited_orders"],
                credited_amount=cents(item["credited_amount"]),
            )
            if precomputed:
                target.add(influenced_revenue=cents(item["influenced_revenue"]))
    for item in influence_sums:
        if (target := rows.get(item["store_id"])) is not None:
            target.add(influenced_revenue=cents(item["influenced_revenue"]))

    total = Totals()
    for band_row in bands.values():
        total.add(
            **{
                name: getattr(band_row, name)
                for name in (*cart_counts, "abandoned_value", "ropo_carts", "ropo_revenue")
            }
        )
    for store_row in rows.values():
        total.add(
            sales_revenue=store_row.sales_revenue,
            influenced_revenue=store_row.influenced_revenue,
            credited_orders=store_row.credited_orders,
            credited_amount=store_row.credited_amount,
        )

    if store is not None:
        scope_label = store.name
    elif is_head_office(user):
        scope_label = _("the whole network")
    elif len(stores_in_scope) == 1:
        scope_label = stores_in_scope[0].name
    else:
        scope_label = _("your stores")
    lowest, highest = built["lowest_currencies"], built["highest_currencies"]
    one_currency = lowest if lowest and lowest == highest and "," not in lowest else None
    report = InsightReport(
        date_from=date_from,
        date_to=date_to,
        window_days=window_days,
        scope_label=scope_label,
        bands=[bands[band.value] for band in DistanceBand],
        stores=sorted(rows.values(), key=lambda row: row.code),
        total=total,
        days_in_period=(date_to - date_from).days + 1,
        days_built=built["days"],
        last_built_at=built["last"],
        window_still_open=date_to > local_today() - timedelta(days=window_days + 1),
        currency=one_currency if not built["without_currency"] else None,
        mixed_currencies=bool(lowest) and one_currency is None,
        days_without_currency=built["without_currency"],
        unassigned=unassigned if store is None and is_head_office(user) and unassigned.carts else None,
    )
    return report
