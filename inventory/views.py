from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from omniportal.access import staff_required

from . import selectors

# Availability rows shown before "show all": this store and the nearest others.
NEAREST_SHOWN = 25


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, SKU or barcode"), max_length=100, required=False, strip=True)
    mine = forms.BooleanField(label=_("In my store"), required=False)


@require_GET
@staff_required
def inventory_search(request: HttpRequest) -> HttpResponse:
    form = ProductSearchForm(request.GET)
    query, mine = "", False
    if form.is_valid():
        query, mine = form.cleaned_data["q"], form.cleaned_data["mine"]
    store = request.store or None
    results = selectors.products_search(query=query, store=store, only_in_store=mine and store is not None)
    context = {
        "form": form,
        "query": query,
        "mine": mine,
        "results": results,
        "limit": selectors.SEARCH_LIMIT,
        "store": store,
    }
    template = "inventory/search.html#results" if request.htmx else "inventory/search.html"
    return render(request, template, context)


def _table_rows(rows: list[selectors.Availability]) -> list[dict[str, object]]:
    """What each availability row prints, worked out here rather than in the template.

    The template engine finds a dict key in one step, while an attribute of a tuple costs it a failed
    subscript first: with every location shown (500 rows) that halves the render.
    """
    return [
        {
            "name": row.location.name,
            "code": row.location.code,
            "city": row.location.city,
            "is_here": row.is_here,
            "is_warehouse": row.location.is_warehouse,
            "distance": "—" if row.is_here else ("" if row.whole_km is None else f"{row.whole_km} km"),
            "atp": row.atp,
            "ships_to_home": row.location.ships_to_home,
            "offers_pickup": row.location.offers_pickup,
        }
        for row in rows
    ]


class AvailabilityForm(forms.Form):
    all = forms.BooleanField(required=False)  # every location at once (a plain request, without JavaScript)
    start = forms.IntegerField(required=False, min_value=0, max_value=100_000)  # the next page of rows (htmx)


@require_GET
@staff_required
def inventory_detail(request: HttpRequest, sku: str) -> HttpResponse:
    """Network availability of one SKU: this store, then the nearest locations; every location on request.

    Totals and counts are over every location; only the table is cut to the nearest `NEAREST_SHOWN`, because
    rendering a row per location (500 at SPEC scale) is most of the page's time and a tablet needs the nearest.
    """
    product = selectors.product_by_sku(sku=sku)
    if product is None:
        raise Http404("No such SKU.")
    form = AvailabilityForm(request.GET)
    show_all = form.is_valid() and form.cleaned_data["all"]
    start = form.cleaned_data["start"] if form.is_valid() else None
    store = request.store or None
    if request.htmx and start is not None:
        # "Show more": the next rows alone, appended to the table; each answer stays a small swap on a tablet.
        table = selectors.availability_for_sku(product=product, origin=store, limit=NEAREST_SHOWN, offset=start)
        context = {
            "product": product,
            "table_rows": _table_rows(table.rows),
            "next_start": start + NEAREST_SHOWN,
            "hidden_count": max(0, table.location_count - start - len(table.rows)),
            "location_count": table.location_count,
        }
        return render(request, "inventory/detail.html#more-rows", context)
    table = selectors.availability_for_sku(product=product, origin=store, limit=None if show_all else NEAREST_SHOWN)
    table_rows = _table_rows(table.rows)
    context = {
        "product": product,
        "table_rows": table_rows,
        "next_start": len(table_rows),
        "hidden_count": table.location_count - len(table_rows),
        "location_count": table.location_count,
        "stocked_count": table.stocked_count,
        "network_atp": table.network_atp,
        "store": store,
    }
    template = "inventory/detail.html#availability" if request.htmx else "inventory/detail.html"
    return render(request, template, context)
