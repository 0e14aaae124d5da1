"""The omnichannel insight page (SPEC 2.6, /insights/): the form, the report, its charts, tables and CSV."""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from omniportal.access import manager_required

from .facts import ABANDON_AFTER, BAND_EDGES_KM, insight_days_to_refresh, max_window_days
from .forms import InsightsForm
from .presentation import band_table, insight_reading, report_charts, report_csv, store_table
from .report import insight_report


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
        report = replace(report, reading=insight_reading(report))
        context.update(
            report=report, charts=report_charts(report), bands=band_table(report), stores=store_table(report)
        )
    else:
        status = 400
    template = "insights/insights.html#report" if request.htmx else "insights/insights.html"
    return render(request, template, context, status=status)
