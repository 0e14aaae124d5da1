"""The /insights/ page: who may see what, the form's inputs, the charts, the CSV and the reading."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from insights.facts import insight_days_rebuild
from omniportal.models import Location

from .scenario import DAY, at, cart, credit, customer_near, sale

pytestmark = pytest.mark.django_db

LATER = at(DAY + timedelta(days=40))
PERIOD = {"date_from": DAY.isoformat(), "date_to": (DAY + timedelta(days=20)).isoformat(), "window": "14"}


@pytest.fixture
def two_stores_story(store_milano, store_roma):
    """Milano: a near customer who abandons online and buys in store. Roma: a far customer who orders online."""
    near = customer_near(store_milano, 1.2, first_name="Nora")
    cart(near, at(DAY, 10), skus=("SKU-A",))
    sale(near, store_milano, at(DAY + timedelta(days=2)), lines=[("SKU-A", 1, "80.00")])
    far = customer_near(store_roma, 72.0, first_name="Fabio")
    cart(far, at(DAY, 11), status="ordered", skus=("SKU-B",))
    cart(far, at(DAY, 12), skus=("SKU-C",))
    credit(store_roma, at(DAY, 11), "4.00")
    cart(None, at(DAY, 13))
    insight_days_rebuild(date_from=DAY, date_to=DAY + timedelta(days=20), as_of=LATER)


def get(client, user, **params):
    client.force_login(user)
    return client.get(reverse("insights"), {**PERIOD, **params})


def store_codes(response) -> list[str]:
    return [row.code for row in response.context["report"].stores]


def test_associates_are_refused(client, associate_milano):
    assert get(client, associate_milano).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("insights"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_manager_of_milano_sees_only_milano(client, manager_milano, two_stores_story):
    response = get(client, manager_milano)

    assert response.status_code == 200
    report = response.context["report"]
    assert store_codes(response) == ["MI01"]
    assert (report.total.carts, report.total.ropo_carts) == (1, 1)
    assert report.total.credited_orders == 0
    assert report.unassigned is None
    assert b"RM01" not in response.content


def test_manager_of_roma_sees_only_roma(client, manager_roma, two_stores_story):
    response = get(client, manager_roma)

    report = response.context["report"]
    assert store_codes(response) == ["RM01"]
    assert (report.total.carts, report.total.ordered, report.total.credited_orders) == (2, 1, 1)
    assert b"MI01" not in response.content


def test_head_office_sees_the_network_with_store_less_carts(client, head_office, two_stores_story):
    response = get(client, head_office)

    report = response.context["report"]
    assert store_codes(response) == ["MI01", "RM01"]
    assert report.total.carts == 4
    assert report.unassigned is not None and report.unassigned.carts == 1


def test_head_office_can_filter_one_store(client, head_office, store_roma, two_stores_story):
    response = get(client, head_office, store="RM01")

    assert store_codes(response) == ["RM01"]
    assert response.context["report"].total.carts == 2


def test_manager_cannot_pick_another_store(client, manager_milano, store_roma, two_stores_story):
    response = get(client, manager_milano, store="RM01")

    assert response.status_code == 400
    assert "report" not in response.context
    assert "form" in response.context and response.context["form"].errors["store"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-40"},
        {"date_from": "yesterday"},
        {"date_from": "2026-10-10", "date_to": "2026-10-01"},
        {"date_from": "2020-01-01", "date_to": "2026-10-01"},
        {"date_to": "2099-01-01"},
        {"window": "0"},
        {"window": "999"},
        {"window": "ten"},
        {"store": "NOPE"},
        {"export": "xlsx"},
    ],
)
def test_malformed_input_is_a_400_with_the_form_never_a_500(client, head_office, params):
    response = get(client, head_office, **params)

    assert response.status_code == 400
    assert response.context["form"].errors


def test_a_nul_in_the_query_is_a_400_before_the_form(client, head_office):
    response = get(client, head_office, date_from="\x00")

    assert response.status_code == 400
    assert b"NUL" in response.content


def test_default_period_is_the_last_90_days_to_yesterday(client, head_office):
    client.force_login(head_office)

    report = client.get(reverse("insights")).context["report"]

    assert report.days_in_period == 90
    assert report.date_to == report.date_from + timedelta(days=89)


def test_page_draws_svg_bar_charts_and_reads_the_pattern(client, head_office, two_stores_story):
    response = get(client, head_office)

    html = response.content.decode()
    assert (
        html.count('<svg xmlns="http://www.w3.org/2000/svg" viewBox=') == 3
    )  # the charts (icons are <svg class="icon">)
    assert 'class="bar bar-a"' in html and 'class="bar bar-c"' in html
    reading = response.context["report"].reading
    assert "0–5 km" in reading and "50+ km" in reading
    assert "shopping list" in reading


def test_csv_export_has_bands_stores_and_total(client, manager_milano, two_stores_story):
    response = get(client, manager_milano, export="csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[1]
    records = [dict(zip(header, row, strict=True)) for row in rows[2:]]
    levels = [record["level"] for record in records]
    assert levels == ["distance_band"] * 5 + ["store", "total"]
    near = records[0]
    assert (near["carts"], near["abandoned"], near["ropo_carts"], near["ropo_revenue"]) == ("1", "1", "1", "80.00")
    assert records[5]["key"] == "MI01"


def test_csv_keeps_machine_formats_and_names_the_currency_in_every_language(client, head_office, two_stores_story):
    """Whatever the reader's language: dot decimals, no thousands separators, the currency's code in a column."""
    client.force_login(head_office)
    for prefix in ("", "/it"):
        response = client.get(f"{prefix}{reverse('insights')}", {**PERIOD, "export": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:3] == ["# period", DAY.isoformat(), (DAY + timedelta(days=20)).isoformat()]
        header = rows[1]
        assert header[-1] == "currency"
        records = [dict(zip(header, row, strict=True)) for row in rows[2:]]
        assert {record["currency"] for record in records} == {"EUR"}
        near, total = records[0], records[-1]
        assert (near["ropo_revenue"], near["abandonment_rate_pct"]) == ("80.00", "100.0")
        assert total["level"] == "total" and total["credited_amount"] == "4.00"


def test_a_store_name_a_spreadsheet_would_run_is_neutralised_in_the_csv(client, head_office, two_stores_story):
    Location.objects.filter(code="RM01").update(name='=HYPERLINK("http://evil.example")')
    client.force_login(head_office)
    response = client.get(reverse("insights"), {**PERIOD, "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = {row[1]: row[2] for row in rows[2:] if row[0] == "store"}
    assert names["RM01"] == '\'=HYPERLINK("http://evil.example")'


def test_tables_are_labelled_cards_on_a_portrait_tablet(client, head_office, two_stores_story):
    html = get(client, head_office).content.decode()
    for testid in ("band-table", "store-table"):
        assert f'class="data cards insight-table" data-testid="{testid}"' in html
    assert 'data-label="ROPO share"' in html and 'data-label="Credited commission"' in html


def test_htmx_request_gets_only_the_report_piece(client, head_office, two_stores_story):
    client.force_login(head_office)

    response = client.get(reverse("insights"), PERIOD, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'id="insights-report"' in html
    assert "<html" not in html


def test_page_speaks_italian(client, head_office, two_stores_story):
    client.force_login(head_office)

    response = client.get("/it/insights/", PERIOD)

    html = response.content.decode()
    assert "Analisi omnicanale" in html
    assert "lista della spesa" in response.context["report"].reading


@pytest.mark.parametrize("who", ["head_office", "manager_milano"])
def test_report_page_runs_ten_queries_whatever_the_period(client, request, who, django_assert_max_num_queries):
    request.getfixturevalue("two_stores_story")
    client.force_login(request.getfixturevalue(who))
    # Session and person, stores in scope, four fact sums, freshness, the store picker, the current store.
    with django_assert_max_num_queries(10):
        client.get(reverse("insights"), {**PERIOD, "date_from": "2025-01-01"})
