"""Omnichannel insight, for people: the paragraph that reads the report out, its charts, its tables and its
CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from omniportal.charts import Category, Chart, Number, Series, column_chart, row_chart
from omniportal.csv_cells import csv_cell
from omniportal.money import format_money, format_number, format_percent

from .models import DistanceBand
from .report import BandRow, InsightReport, StoreRow, Totals


def _share(rate: float | None) -> Decimal | None:
    # The report keeps rates in percent with one decimal, as the CSV's *_pct columns print them.
    return None if rate is None else Decimal(str(rate)) / 100


def _rate(rate: float | None) -> str:
    """A rate of the report (in percent) in the reader's style: "54.3%", "54,3%"; "—" when there is none."""
    return format_percent(_share(rate))


def amount_format(report: InsightReport) -> Callable[[Decimal], str]:
    """How the report's amounts print: whole units with the period's currency ("€63,685", "63.685 €"), or a
    bare number when the period has no single known currency (never one currency's sign on another's)."""
    currency = report.currency
    if currency is None:
        return format_number
    return lambda amount: format_money(amount, currency, whole=True)


def _ends(bands: Iterable[BandRow]) -> tuple[BandRow, BandRow] | None:
    """The nearest and the farthest known distance bands that have carts, when they differ."""
    known = [row for row in bands if row.band != DistanceBand.UNKNOWN and row.carts]
    return (known[0], known[-1]) if len(known) >= 2 else None


# Abandonment that differs by at least this many points between the nearest and farthest band is a pattern.
PATTERN_POINTS = 10


def insight_reading(report: InsightReport) -> str:
    """One paragraph, built from the numbers, that says what the report shows."""
    money = amount_format(report)
    total = report.total
    period = {
        "start": date_format(report.date_from, "SHORT_DATE_FORMAT"),
        "end": date_format(report.date_to, "SHORT_DATE_FORMAT"),
        "scope": report.scope_label,
    }
    if not total.carts:
        sentences = [_("From %(start)s to %(end)s no online carts were recorded for %(scope)s.") % period]
    else:
        sentences = [
            ngettext(
                "From %(start)s to %(end)s customers of %(scope)s left %(carts)s online cart: "
                "%(abandoned)s abandoned, %(ordered)s ordered online.",
                "From %(start)s to %(end)s customers of %(scope)s left %(carts)s online carts: "
                "%(abandoned)s abandoned, %(ordered)s ordered online.",
                total.carts,
            )
            % {
                **period,
                "carts": format_number(total.carts),
                "abandoned": _rate(total.abandonment_rate),
                "ordered": _rate(total.conversion_rate),
            }
        ]
        ends = _ends(report.bands)
        if ends:
            near, far = ends
            sentences.append(
                _(
                    "Customers living %(near)s from a store abandoned %(near_abandoned)s of their carts and ordered "
                    "%(near_ordered)s online; customers %(far)s away abandoned %(far_abandoned)s and ordered "
                    "%(far_ordered)s."
                )
                % {
                    "near": near.label,
                    "near_abandoned": _rate(near.abandonment_rate),
                    "near_ordered": _rate(near.conversion_rate),
                    "far": far.label,
                    "far_abandoned": _rate(far.abandonment_rate),
                    "far_ordered": _rate(far.conversion_rate),
                }
            )
        if total.abandoned_known:
            sentences.append(
                ngettext(
                    "%(share)s of the abandoned carts of known customers were followed within %(days)s day by an "
                    "in-store purchase of a product from the cart, worth %(revenue)s.",
                    "%(share)s of the abandoned carts of known customers were followed within %(days)s days by an "
                    "in-store purchase of a product from the cart, worth %(revenue)s.",
                    report.window_days,
                )
                % {
                    "share": _rate(total.ropo_share),
                    "days": report.window_days,
                    "revenue": money(total.ropo_revenue),
                }
            )
        if ends:
            near, far = ends
            gap = (near.abandonment_rate or 0) - (far.abandonment_rate or 0)
            if gap >= PATTERN_POINTS and (near.ropo_share or 0) > (far.ropo_share or 0):
                if far.ropo_share is None:
                    sentences.append(
                        _(
                            "Near-store customers use the online cart as a shopping list: %(near_ropo)s of their "
                            "abandoned carts ended in a store purchase, so those carts are store sales, not lost sales."
                        )
                        % {"near_ropo": _rate(near.ropo_share)}
                    )
                else:
                    sentences.append(
                        _(
                            "Near-store customers use the online cart as a shopping list: %(near_ropo)s of their "
                            "abandoned carts ended in a store purchase (against %(far_ropo)s %(far)s away), so those "
                            "carts are store sales, not lost sales."
                        )
                        % {
                            "near_ropo": _rate(near.ropo_share),
                            "far_ropo": _rate(far.ropo_share),
                            "far": far.label,
                        }
                    )
            else:
                sentences.append(
                    _(
                        "In this period near-store customers do not abandon online carts clearly more than distant "
                        "ones: no shopping-list pattern shows."
                    )
                )
    if total.sales_revenue:
        sentences.append(
            _(
                "In-store revenue influenced by online browsing was %(influenced)s, %(share)s of in-store revenue "
                "(%(sales)s)."
            )
            % {
                "influenced": money(total.influenced_revenue),
                "share": _rate(total.influenced_share),
                "sales": money(total.sales_revenue),
            }
        )
    if total.credited_orders:
        sentences.append(
            ngettext(
                "%(orders)s online order was credited to these stores (%(amount)s in commission).",
                "%(orders)s online orders were credited to these stores (%(amount)s in commission).",
                total.credited_orders,
            )
            % {
                "orders": format_number(total.credited_orders),
                "amount": money(total.credited_amount),
            }
        )
    return " ".join(sentences)


# Shares run on a whole 0–100 % axis, so bars of different charts and periods compare by eye.
PERCENT_TICKS = (0, Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), 1)


def _whole_percent(share: Number) -> str:
    # Whole percents on the bars: a bar is ~50 units wide, and the tables below give the tenths.
    return format_percent(share, 0)


def report_charts(report: InsightReport) -> list[Chart]:
    """Abandonment and conversion by band, ROPO share by band, influenced revenue of the top 10 stores."""
    abandonment = column_chart(
        title=_("Online carts by distance to the nearest store"),
        categories=[
            Category(row.label, (_share(row.abandonment_rate), _share(row.conversion_rate))) for row in report.bands
        ],
        series=[Series(_("Abandonment rate"), "bar-a"), Series(_("Online conversion"), "bar-b")],
        format_value=_whole_percent,
        ticks=PERCENT_TICKS,
    )
    ropo = column_chart(
        title=_("Abandoned carts followed by a store purchase within %(days)s days") % {"days": report.window_days},
        categories=[Category(row.label, (_share(row.ropo_share),)) for row in report.bands],
        series=[Series(_("Share of abandoned carts (known customers)"), "bar-c")],
        format_value=_whole_percent,
        ticks=PERCENT_TICKS,
    )
    top_stores = sorted(
        (row for row in report.stores if row.influenced_revenue > 0),
        key=lambda row: row.influenced_revenue,
        reverse=True,
    )[:10]
    influence = row_chart(
        title=_("Online-influenced in-store revenue, top stores"),
        categories=[Category(row.name or row.code, (row.influenced_revenue,)) for row in top_stores],
        series=[Series("", "bar-a")],
        format_value=amount_format(report),
    )
    return [abandonment, ropo, influence]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    total: list[str]

    def _row_html(self, row: list[str]) -> SafeString:
        """One row: its first cell heads it; the others carry their column's header as their label, so that on a
        portrait tablet a row is a card of labelled cells."""
        return format_html(
            '<th scope="row" class="cell-main">{}</th>{}',
            row[0],
            format_html_join(
                "", '<td class="num" data-label="{}">{}</td>', zip(self.headers[1:], row[1:], strict=True)
            ),
        )

    @property
    def body_html(self) -> SafeString:
        """The rows as HTML, escaped by format_html: a network report has 500 rows of 12 cells, which the template
        engine took a third of the page to draw cell by cell (docs/performance.md)."""
        return format_html_join("", "<tr>{}</tr>", ((self._row_html(row),) for row in self.rows))

    @property
    def total_html(self) -> SafeString:
        return self._row_html(self.total)


def band_table(report: InsightReport) -> Table:
    money = amount_format(report)

    def cells(label: str, row: Totals) -> list[str]:
        return [
            label,
            format_number(row.carts),
            format_number(row.abandoned),
            _rate(row.abandonment_rate),
            format_number(row.ordered),
            _rate(row.conversion_rate),
            format_number(row.abandoned_known),
            format_number(row.ropo_carts),
            _rate(row.ropo_share),
            money(row.ropo_revenue),
            money(row.abandoned_value),
        ]

    return Table(
        headers=[
            _("Distance to nearest store"),
            _("Carts"),
            pgettext("insight table", "Abandoned"),
            _("Abandonment"),
            _("Ordered online"),
            _("Online conversion"),
            _("Abandoned, known customer"),
            _("Then bought in store"),
            _("ROPO share"),
            _("ROPO revenue"),
            _("Left in abandoned carts"),
        ],
        rows=[cells(str(row.label), row) for row in report.bands],
        total=cells(_("Total"), report.total),
    )


def store_table(report: InsightReport) -> Table:
    money = amount_format(report)

    def cells(label: str, row: Totals) -> list[str]:
        return [
            label,
            format_number(row.carts),
            _rate(row.abandonment_rate),
            _rate(row.conversion_rate),
            format_number(row.ropo_carts),
            _rate(row.ropo_share),
            money(row.ropo_revenue),
            money(row.sales_revenue),
            money(row.influenced_revenue),
            _rate(row.influenced_share),
            format_number(row.credited_orders),
            money(row.credited_amount),
        ]

    rows = [cells(f"{row.code} · {row.name}", row) for row in report.stores]
    if report.unassigned:
        rows.append(cells(report.unassigned.name, report.unassigned))
    return Table(
        headers=[
            _("Store"),
            _("Carts"),
            _("Abandonment"),
            _("Online conversion"),
            _("Then bought in store"),
            _("ROPO share"),
            _("ROPO revenue"),
            _("In-store revenue"),
            _("Online-influenced"),
            _("Influenced share"),
            _("Online orders credited"),
            _("Credited commission"),
        ],
        rows=rows,
        total=cells(_("Total"), report.total),
    )


CSV_COLUMNS = [
    "level",
    "key",
    "name",
    "carts",
    "abandoned",
    "abandonment_rate_pct",
    "ordered",
    "conversion_rate_pct",
    "abandoned_known_customer",
    "abandoned_value",
    "ropo_carts",
    "ropo_share_pct",
    "ropo_revenue",
    "in_store_revenue",
    "influenced_revenue",
    "influenced_share_pct",
    "online_orders_credited",
    "credited_amount",
    "currency",
]


def _csv_row(level: str, key: str, name: str, row: Totals, currency: str | None) -> list[str]:
    values = [
        level,
        key,
        name,
        row.carts,
        row.abandoned,
        row.abandonment_rate,
        row.ordered,
        row.conversion_rate,
        row.abandoned_known,
        row.abandoned_value,
        row.ropo_carts,
        row.ropo_share,
        row.ropo_revenue,
        row.sales_revenue,
        row.influenced_revenue,
        row.influenced_share,
        row.credited_orders,
        row.credited_amount,
        # The amounts' currency; empty when the period mixes currencies (then they are added without conversion)
        currency,
    ]
    return [csv_cell(value) for value in values]


def report_csv(report: InsightReport) -> HttpResponse:
    """The report in machine formats (omniportal.csv_cells): ISO dates, dot decimals, rates in percent with one
    decimal (the *_pct columns), amounts with their currency's code in the last column."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="omniportal-insights-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["# period", report.date_from.isoformat(), report.date_to.isoformat(), "window_days", report.window_days]
    )
    writer.writerow(CSV_COLUMNS)
    for row in report.bands:
        writer.writerow(_csv_row("distance_band", str(row.band), str(row.label), row, report.currency))
    store_rows: list[StoreRow] = [*report.stores, *([report.unassigned] if report.unassigned else [])]
    for row in store_rows:
        writer.writerow(_csv_row("store", row.code, row.name, row, report.currency))
    writer.writerow(_csv_row("total", "", str(report.scope_label), report.total, report.currency))
    return response
