"""The omnichannel insight page (SPEC 2.6): form, server-drawn SVG charts, tables and CSV export."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from omniportal.access import is_head_office, manager_required, user_stores

from .insights import (
    ABANDON_AFTER,
    BAND_EDGES_KM,
    MAX_PERIOD_DAYS,
    InsightReport,
    StoreRow,
    euros,
    grouped,
    insight_days_to_refresh,
    insight_report,
    local_today,
    max_window_days,
    percent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEFAULT_PERIOD_DAYS = 90
ISO_DATE = "%Y-%m-%d"


class InsightsForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    window = forms.IntegerField(
        label=gettext_lazy("Store purchase within (days)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    store = forms.ModelChoiceField(label=gettext_lazy("Store"), queryset=None, required=False, to_field_name="code")
    export = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV")], widget=forms.HiddenInput)

    def __init__(self, query: QueryDict, *, user: AbstractBaseUser) -> None:
        data = query.copy()
        # Missing or empty fields take the defaults, and the form shows the values the report used.
        date_to = local_today() - timedelta(days=1)
        defaults = {
            "date_to": date_to.strftime(ISO_DATE),
            "date_from": (date_to - timedelta(days=DEFAULT_PERIOD_DAYS - 1)).strftime(ISO_DATE),
            "window": str(settings.ROPO_WINDOW_DAYS),
        }
        for name, value in defaults.items():
            if not data.get(name, "").strip():
                data[name] = value
        super().__init__(data)
        self.user = user
        self.fields["window"].validators.append(MaxValueValidator(max_window_days()))
        self.fields["window"].widget.attrs["max"] = max_window_days()
        stores = user_stores(user).order_by("code")
        self.fields["store"].queryset = stores
        self.fields["store"].empty_label = _("Whole network") if is_head_office(user) else _("All my stores")
        self.show_store = is_head_office(user) or stores.count() > 1

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", _("The end of the period must not be before its start."))
            elif date_to > local_today():
                self.add_error("date_to", _("The period cannot end after today."))
            elif (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("date_from", _("Choose a period of at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
        return cleaned


# --------------------------------------------------------------------------- charts as plain SVG geometry


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    css: str = ""


@dataclass
class Chart:
    title: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.rects)


def _label_lines(label: str, limit: int = 10) -> list[str]:
    """A long axis label on two lines ("Unknown / distance") so that neighbours never overlap."""
    if len(label) <= limit or " " not in label:
        return [label]
    head, _space, tail = label.partition(" ")
    return [head, tail]


def percent_chart(
    title: str, groups: list[tuple[str, list[tuple[float | None, str, str]]]], legend: list[tuple[str, str]]
) -> Chart:
    """Grouped vertical bars on a 0–100 % scale; `groups` = [(label, [(value, css, series name), …]), …]."""
    width, height, left, right, top, bottom = 480, 300, 52, 4, 20, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    chart = Chart(title=title, width=width, height=height, legend=legend)
    for tick in range(0, 101, 25):
        y = top + plot_h - plot_h * tick / 100
        chart.lines.append((left, y, width - right, y))
        chart.texts.append(Text(x=left - 6, y=y + 5, text=f"{tick} %", anchor="end", css="tick"))
    slot = plot_w / max(len(groups), 1)
    for index, (label, bars) in enumerate(groups):
        bar_w = min(36.0, (slot - 12) / max(len(bars), 1))
        x = left + index * slot + (slot - bar_w * len(bars)) / 2
        for value, css, series in bars:
            if value is not None:
                bar_h = max(plot_h * value / 100, 1.0)
                y = top + plot_h - bar_h
                title_text = f"{label} · {series}: {percent(value)}"
                chart.rects.append(Rect(x=x, y=y, width=bar_w - 2, height=bar_h, css=css, title=title_text))
                chart.texts.append(Text(x=x + bar_w / 2 - 1, y=y - 5, text=f"{value:.0f}", css="value"))
            x += bar_w
        for line_number, line in enumerate(_label_lines(label)):
            centre = left + index * slot + slot / 2
            chart.texts.append(Text(x=centre, y=height - bottom + 22 + 17 * line_number, text=line, css="label"))
    return chart


def money_chart(title: str, rows: list[tuple[str, Decimal]]) -> Chart:
    """Horizontal bars, largest first; the label sits left of the bar, the amount at its end."""
    row_h, left, right, top = 30, 150, 96, 8
    width, height = 640, top * 2 + row_h * max(len(rows), 1)
    chart = Chart(title=title, width=width, height=height)
    largest = max((amount for _label, amount in rows), default=Decimal("0")) or Decimal("1")
    for index, (label, amount) in enumerate(rows):
        y = top + index * row_h
        bar_w = max(float(amount / largest) * (width - left - right), 1.0)
        chart.rects.append(Rect(x=left, y=y + 4, width=bar_w, height=row_h - 10, css="bar-a", title=label))
        chart.texts.append(Text(x=left - 8, y=y + row_h / 2 + 4, text=label[:18], anchor="end", css="label"))
        chart.texts.append(
            Text(x=left + bar_w + 6, y=y + row_h / 2 + 4, text=euros(amount), anchor="start", css="value")
        )
    return chart


def report_charts(report: InsightReport) -> list[Chart]:
    bands = report.bands
    abandonment = percent_chart(
        _("Online carts by distance to the nearest store"),
        [
            (
                row.label,
                [
                    (row.abandonment_rate, "bar-a", _("abandoned")),
                    (row.conversion_rate, "bar-b", _("ordered online")),
                ],
            )
            for row in bands
        ],
        legend=[("bar-a", _("Abandonment rate")), ("bar-b", _("Online conversion"))],
    )
    ropo = percent_chart(
        _("Abandoned carts followed by a store purchase within %(days)s days") % {"days": report.window_days},
        [(row.label, [(row.ropo_share, "bar-c", _("bought in store"))]) for row in bands],
        legend=[("bar-c", _("Share of abandoned carts (known customers)"))],
    )
    top_stores = sorted(
        (row for row in report.stores if row.influenced_revenue > 0),
        key=lambda row: row.influenced_revenue,
        reverse=True,
    )[:10]
    influence = money_chart(
        _("Online-influenced in-store revenue, top stores"),
        [(row.name or row.code, row.influenced_revenue) for row in top_stores],
    )
    return [abandonment, ropo, influence]


# --------------------------------------------------------------------------- tables, formatted once


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    total: list[str]


def _int(value: int) -> str:
    return grouped(value)


def band_table(report: InsightReport) -> Table:
    def cells(label: str, row) -> list[str]:
        return [
            label,
            _int(row.carts),
            _int(row.abandoned),
            percent(row.abandonment_rate),
            _int(row.ordered),
            percent(row.conversion_rate),
            _int(row.abandoned_known),
            _int(row.ropo_carts),
            percent(row.ropo_share),
            euros(row.ropo_revenue),
            euros(row.abandoned_value),
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
    def cells(label: str, row) -> list[str]:
        return [
            label,
            _int(row.carts),
            percent(row.abandonment_rate),
            percent(row.conversion_rate),
            _int(row.ropo_carts),
            percent(row.ropo_share),
            euros(row.ropo_revenue),
            euros(row.sales_revenue),
            euros(row.influenced_revenue),
            percent(row.influenced_share),
            _int(row.credited_orders),
            euros(row.credited_amount),
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


# --------------------------------------------------------------------------- CSV

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
]


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    # A spreadsheet runs a cell that starts with = + - @ as a formula; names come from head office, not code.
    return "'" + text if text[:1] in {"=", "+", "-", "@"} and not text.lstrip("-").replace(".", "").isdigit() else text


def _csv_row(level: str, key: str, name: str, row) -> list[str]:
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
    ]
    return [_cell(value) for value in values]


def report_csv(report: InsightReport) -> HttpResponse:
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
        writer.writerow(_csv_row("distance_band", str(row.band), str(row.label), row))
    store_rows: list[StoreRow] = [*report.stores, *([report.unassigned] if report.unassigned else [])]
    for row in store_rows:
        writer.writerow(_csv_row("store", row.code, row.name, row))
    writer.writerow(_csv_row("total", "", str(report.scope_label), report.total))
    return response


# --------------------------------------------------------------------------- the view


@manager_required
def insights(request: HttpRequest) -> HttpResponse:
    form = InsightsForm(request.GET, user=request.user)
    context: dict[str, object] = {
        "form": form,
        "abandon_hours": int(ABANDON_AFTER.total_seconds() // 3600),
        "band_edges": BAND_EDGES_KM,
        "max_window": max_window_days(),
        "refresh_days": len(insight_days_to_refresh()),
    }
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        report = insight_report(
            user=request.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            window_days=data["window"],
            store=data["store"],
        )
        if data["export"] == "csv":
            return report_csv(report)
        context.update(
            report=report, charts=report_charts(report), bands=band_table(report), stores=store_table(report)
        )
    else:
        status = 400
    template = "clienteling/insights.html#report" if request.htmx else "clienteling/insights.html"
    return render(request, template, context, status=status)
