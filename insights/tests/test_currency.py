"""Amounts are summed as recorded, without conversion: each built day records the currencies it summed, and
the report prints amounts with their currency only when the period has exactly one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from insights.facts import insight_day_rebuild, insight_days_rebuild
from insights.models import InsightDay
from insights.presentation import band_table, insight_reading, store_table
from insights.report import insight_report

from .scenario import DAY, at, cart, credit, customer_near, sale

pytestmark = pytest.mark.django_db

LATER = at(DAY + timedelta(days=40))


def report_for(user, *, days: int = 1):
    return insight_report(user=user, date_from=DAY, date_to=DAY + timedelta(days=days - 1), window_days=14)


@pytest.fixture
def euro_day(store_milano):
    shopper = customer_near(store_milano, 2.0)
    cart(shopper, at(DAY, 10), skus=("SKU-A",))
    sale(shopper, store_milano, at(DAY, 15), lines=[("SKU-A", 1, "14559.40")])
    credit(store_milano, at(DAY, 11), "5.00")
    insight_day_rebuild(day=DAY, as_of=LATER)
    return shopper


def test_a_day_records_the_currency_of_the_amounts_it_summed(euro_day):
    assert InsightDay.objects.get(day=DAY).currencies == "EUR"


def test_a_day_without_amounts_records_no_currency():
    insight_day_rebuild(day=DAY, as_of=LATER)

    assert InsightDay.objects.get(day=DAY).currencies == ""


def test_a_day_that_sums_two_currencies_records_both(euro_day, store_roma):
    sale(customer_near(store_roma, 3.0), store_roma, at(DAY, 16), currency="CHF")

    insight_day_rebuild(day=DAY, as_of=LATER)

    assert InsightDay.objects.get(day=DAY).currencies == "CHF,EUR"


def test_the_report_has_the_one_currency_of_its_days(euro_day, head_office):
    insight_days_rebuild(date_from=DAY + timedelta(days=1), date_to=DAY + timedelta(days=2), as_of=LATER)

    report = report_for(head_office, days=3)

    assert (report.currency, report.mixed_currencies, report.days_without_currency) == ("EUR", False, 0)


def test_days_in_different_currencies_leave_the_report_without_one(euro_day, head_office, store_roma):
    sale(customer_near(store_roma, 3.0), store_roma, at(DAY + timedelta(days=1)), currency="CHF")
    insight_day_rebuild(day=DAY + timedelta(days=1), as_of=LATER)

    report = report_for(head_office, days=2)

    assert (report.currency, report.mixed_currencies) == (None, True)


def test_a_day_built_before_currencies_were_recorded_leaves_the_report_without_one(euro_day, head_office):
    InsightDay.objects.filter(day=DAY).update(currencies=None)

    report = report_for(head_office)

    assert (report.currency, report.mixed_currencies, report.days_without_currency) == (None, False, 1)


@pytest.mark.parametrize(("language", "expected"), [("en", "€14,559"), ("it", "14.559\xa0€")])
def test_amounts_print_with_their_currency_in_the_readers_language(euro_day, head_office, language, expected):
    with translation.override(language):
        report = report_for(head_office)
        reading = insight_reading(report)
        stores = store_table(report)

    assert expected in reading
    assert expected in stores.total
    assert "€" not in "".join(band_table(replace(report, currency="CHF")).total)


def test_mixed_currencies_print_bare_numbers_never_a_euro_sign(euro_day, head_office):
    report = replace(report_for(head_office), currency=None, mixed_currencies=True)

    reading = insight_reading(report)

    assert "14,559" in reading and "€" not in reading
    assert "€" not in "".join(store_table(report).total)


def test_the_page_says_when_amounts_mix_currencies(client, euro_day, head_office, store_roma):
    sale(customer_near(store_roma, 3.0), store_roma, at(DAY, 16), lines=[("SKU-B", 1, "99.00")], currency="CHF")
    insight_day_rebuild(day=DAY, as_of=LATER)
    client.force_login(head_office)

    response = client.get(reverse("insights"), {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()})

    html = response.content.decode()
    assert 'data-testid="insight-currencies"' in html
    assert "€" not in html.split('id="insights-report"', 1)[1].split("Definitions", 1)[0]
    assert response.context["report"].total.sales_revenue == Decimal("14658.40")


def test_the_page_says_so_in_italian_too(client, euro_day, head_office):
    InsightDay.objects.filter(day=DAY).update(currencies=None)
    client.force_login(head_office)

    response = client.get("/it/insights/", {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()})

    assert "calcolato prima che se ne registrasse la valuta" in response.content.decode()
