"""Commission pages: the manager's statement (/commissions/) and head office's network view."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from omniportal.access import head_office_required, manager_required, user_stores
from omniportal.charts import Category, Chart, Series, column_chart
from omniportal.csv_cells import csv_cell
from omniportal.models import Location
from omniportal.money import format_money, format_percent

from .commissions.explanations import entry_reason
from .commissions.periods import current_period, next_month, parse_period, previous_month
from .commissions.selectors import (
    commission_entries,
    commission_monthly_net,
    commission_network,
    commissions_held_count,
)
from .commissions.statements import (
    STATEMENT_TEXT_MAX,
    StatementNotFound,
    StatementTransitionRefused,
    statement_approve,
    statement_dispute,
    statement_finalise,
    statement_offer,
)
from .models import EntryKind, Statement
from .selectors import commission_period_totals

ENTRIES_PER_PAGE = 50


class PeriodField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_period(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a month as YYYY-MM.")) from exc


class CommissionFilterForm(forms.Form):
    store = forms.CharField(label=gettext_lazy("Store"), required=False, max_length=32)
    period = PeriodField(label=gettext_lazy("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Credits and reversals")), *EntryKind.choices],
    )
    order = forms.CharField(label=gettext_lazy("Order"), required=False, max_length=64)
    # No upper bound: a page past the last one shows the last page (Paginator.get_page), like a stale bookmark
    # would expect; a malformed or non-positive page is invalid and shows the first.
    page = forms.IntegerField(required=False, min_value=1)


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What is wrong?"), max_length=STATEMENT_TEXT_MAX, widget=forms.Textarea
    )


class FinaliseForm(forms.Form):
    # Only for a month the store has not approved: the service decides whether the reason is needed.
    override_reason = forms.CharField(
        label=gettext_lazy("Why finalise it without the store's approval?"),
        required=False,
        # No max_length here: the service refuses a reason that is too long, with its message.
        widget=forms.Textarea(attrs={"maxlength": STATEMENT_TEXT_MAX}),
    )


def _filters(request: HttpRequest) -> dict:
    """Valid filters only: a malformed one is reported on the form and ignored, never a 500."""
    form = CommissionFilterForm(request.GET)
    form.is_valid()
    return {"form": form, **{name: form.cleaned_data.get(name) for name in form.fields if name in form.cleaned_data}}


def _chosen_store(request: HttpRequest, code: str | None) -> tuple[list[Location], Location]:
    stores = list(user_stores(request.user).order_by("code"))
    if not stores:
        raise Http404(_("You are not assigned to a store."))
    by_code = {store.code: store for store in stores}
    if code:
        if code not in by_code:
            raise Http404(_("No such store among yours."))
        return stores, by_code[code]
    current = getattr(request, "store", None)
    current_code = getattr(current, "code", None) if current else None
    return stores, by_code.get(current_code) or stores[0]


# Past this, a month's cents are noise on the chart (the statements below keep them).
WHOLE_UNITS_FROM = Decimal("100")


def _chart(series: list[tuple[date, Decimal]], currency: str) -> Chart:
    """The net of the last 12 months: reversals below the zero line, the month in progress drawn lighter."""
    whole = max((abs(net) for _, net in series), default=Decimal("0")) >= WHOLE_UNITS_FROM
    return column_chart(
        title=_("Net commission, last 12 months"),
        categories=[
            Category(
                date_format(period, "M"),
                (net,),
                provisional=index == len(series) - 1,
                long_label=date_format(period, "F Y"),
            )
            for index, (period, net) in enumerate(series)
        ],
        series=[Series("", "bar-a")],
        format_value=lambda amount: format_money(amount, currency, whole=whole),
        plot_height=160,
    )


def _page_links(page: Page, query: dict[str, str]) -> dict[str, str | None]:
    """Links to the first, previous, next and last pages, keeping the filters (plain hrefs: no JavaScript needed)."""

    def url(number: int) -> str:
        return f"{reverse('commissions')}?{urlencode({**query, 'page': number})}"

    last = page.paginator.num_pages
    return {
        "first": url(1) if page.number > 1 else None,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "last": url(last) if page.number < last else None,
    }


def _percent(share: Decimal) -> str:
    """A rate or share as the reader writes it, with the decimals it has: "5%", "5.25%", "50%" (never "0.0500")."""
    hundredths = (share * 100).normalize()
    return format_percent(share, max(0, -hundredths.as_tuple().exponent))


def _rows(entries) -> list[dict]:
    return [
        {"entry": entry, "reason": entry_reason(entry), "rate": _percent(entry.rate), "share": _percent(entry.share)}
        for entry in entries
    ]


def _csv_response(entries, *, store: Location, period: date | None) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    # Headers in the reader's language; values in machine formats (omniportal.csv_cells): ISO dates, dot
    # decimals, rates and shares as fractions, the currency's code in its own column. The order is named by its
    # number, as on the page; the e-commerce site's reference follows in the last column.
    header = [
        _("Order"), _("Order date"), _("Store"), _("Kind"), _("Month"), _("Base"), _("Rate"), _("Share"),
        _("Amount"), _("Currency"), _("Distance (km)"), _("Location source"), _("Policy"), _("Why this store"),
        _("External reference"),
    ]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for entry in entries.iterator(chunk_size=2000):
            order = entry.order
            cells = [
                order.number,
                # The day in the portal's time zone, as the page shows it (not the UTC date of the timestamp).
                timezone.localdate(order.placed_at),
                entry.store.code,
                entry.kind,
                f"{entry.period:%Y-%m}",
                entry.base_amount,
                entry.rate,
                entry.share,
                entry.amount,
                entry.currency,
                None if entry.distance_km is None else f"{entry.distance_km:.3f}",
                entry.location_source,
                entry.policy.name,
                entry_reason(entry),
                order.external_id,
            ]
            yield writer.writerow([csv_cell(cell) for cell in cells])

    name = f"commissions-{store.code}-{period:%Y-%m}.csv" if period else f"commissions-{store.code}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@manager_required
def commissions(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    stores, store = _chosen_store(request, filters.get("store"))
    this_month = current_period()
    period = filters.get("period") or this_month
    entries = commission_entries(
        user=request.user, store=store, period=period, kind=filters.get("kind"), order=filters.get("order")
    )
    if request.GET.get("format") == "csv":
        return _csv_response(entries, store=store, period=period)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(filters.get("page") or 1)
    series = commission_monthly_net(store=store, until=this_month)
    currency = page.object_list[0].currency if page.object_list else "EUR"
    nets = dict(series)
    statements = list(
        Statement.objects.filter(store=store).select_related("reviewed_by", "finalised_by").order_by("-period")[:12]
    )
    for statement in statements:
        statement.net = nets.get(statement.period)
        statement.offer = statement_offer(statement, actor=request.user)
    query = {key: value for key, value in request.GET.items() if key not in {"page", "format"}}
    totals = commission_period_totals(user=request.user, store=store, period=period)
    context = {
        "form": filters["form"],
        "stores": stores,
        "store": store,
        "period": period,
        "this_month": this_month,
        "this_month_net": nets.get(this_month, Decimal("0")),
        "totals": totals,
        "period_statement": next((s for s in statements if s.period == period), None),
        "currency": currency,
        "chart": _chart(series, currency),
        "page": page,
        "page_links": _page_links(page, query),
        "rows": _rows(page.object_list),
        "statements": statements,
        "dispute_form": DisputeForm(),
        "network_url": reverse("commissions-network"),
        "csv_url": f"{reverse('commissions')}?{urlencode({**query, 'format': 'csv'})}",
    }
    template = "orders/commissions.html#entries" if request.htmx else "orders/commissions.html"
    return render(request, template, context)


def _back_to_statement(statement: Statement) -> HttpResponse:
    return redirect(f"{reverse('commissions')}?{urlencode({'store': statement.store.code})}")


@manager_required
@require_POST
def statement_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        statement = statement_approve(statement_id=pk, actor=request.user)
    except StatementNotFound as exc:
        raise Http404 from exc
    except StatementTransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("commissions")
    messages.success(request, _("Statement for %(month)s approved.") % {"month": date_format(statement.period, "F Y")})
    return _back_to_statement(statement)


@manager_required
@require_POST
def statement_dispute_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = DisputeForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        statement = statement_dispute(statement_id=pk, actor=request.user, comment=comment)
    except StatementNotFound as exc:
        raise Http404 from exc
    except StatementTransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("commissions")
    messages.success(request, _("Statement for %(month)s disputed.") % {"month": date_format(statement.period, "F Y")})
    return _back_to_statement(statement)


@head_office_required
def commissions_network(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    period = filters.get("period") or previous_month(current_period())
    rows = commission_network(period=period)
    for row in rows:
        row.offer = statement_offer(row.statement, actor=request.user) if row.statement else None
    currencies = {row.currency for row in rows if row.entries}
    totals = {
        "credits": sum((row.credits for row in rows), Decimal("0")),
        "reversals": sum((row.reversals for row in rows), Decimal("0")),
        "net": sum((row.net for row in rows), Decimal("0")),
        "entries": sum(row.entries for row in rows),
        # Amounts in several currencies are added up without conversion: then the total shows none.
        "currency": currencies.pop() if len(currencies) == 1 and None not in currencies else None,
    }
    for row in rows:
        if not row.entries:
            row.currency = totals["currency"]  # nothing yet: zero, in the network's currency
    return render(
        request,
        "orders/commissions_network.html",
        {
            "form": filters["form"],
            "period": period,
            "previous": previous_month(period),
            "next": None if period >= current_period() else next_month(period),
            "rows": rows,
            "totals": totals,
            "held": commissions_held_count(),
        },
    )


def _network_month(statement: Statement) -> HttpResponse:
    return redirect(f"{reverse('commissions-network')}?{urlencode({'period': f'{statement.period:%Y-%m}'})}")


@head_office_required
@require_POST
def statement_finalise_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = FinaliseForm(request.POST)
    reason = form.cleaned_data["override_reason"] if form.is_valid() else ""
    try:
        statement = statement_finalise(statement_id=pk, actor=request.user, override_reason=reason)
    except StatementNotFound as exc:
        raise Http404 from exc
    except StatementTransitionRefused as exc:
        messages.error(request, str(exc))
        statement = Statement.objects.filter(pk=pk).first()
        return _network_month(statement) if statement else redirect("commissions-network")
    values = {"store": statement.store.code, "month": date_format(statement.period, "F Y")}
    if statement.overridden:
        messages.success(request, _("%(store)s · %(month)s finalised without the store's approval.") % values)
    else:
        messages.success(request, _("%(store)s · %(month)s finalised.") % values)
    return _network_month(statement)


# Included from orders/urls.py.
urlpatterns = [
    path("commissions/", commissions, name="commissions"),
    path("commissions/network/", commissions_network, name="commissions-network"),
    path("commissions/statements/<int:pk>/approve/", statement_approve_view, name="commission-statement-approve"),
    path("commissions/statements/<int:pk>/dispute/", statement_dispute_view, name="commission-statement-dispute"),
    path("commissions/statements/<int:pk>/finalise/", statement_finalise_view, name="commission-statement-finalise"),
]
