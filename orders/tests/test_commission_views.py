from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.commissions.ledger import commission_credit_order, commission_reverse_change
from orders.commissions.periods import current_period, previous_month
from orders.models import CommissionPolicy, OrderStatus, Statement, StatementStatus

from .commission_support import change, default_policy, order_with_lines

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}


@pytest.fixture
def ledger(store_milano, store_roma):
    """This month: Milano credited 5.00 and 2.50 and reversed 2.50; Roma credited 10.00."""
    default_policy()
    first = order_with_lines((1, "100.00", "0"), **MILANO)
    second = order_with_lines((1, "50.00", "0"), **MILANO)
    rome = order_with_lines((1, "200.00", "0"), **ROMA)
    for order in (first, second, rome):
        commission_credit_order(order_id=order.pk)
    commission_reverse_change(change_id=change(second, OrderStatus.CANCELLED).pk)
    return {"first": first, "second": second, "rome": rome}


def last_month_statement(store, status=StatementStatus.CLOSED):
    return Statement.objects.create(store=store, period=previous_month(current_period()), status=status)


def test_manager_sees_the_month_net_chart_and_explained_entries(client, manager_milano, ledger):
    client.force_login(manager_milano)
    response = client.get(reverse("commissions"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "€5.00" in body  # 5.00 + 2.50 − 2.50, with its currency
    assert body.count("<rect") == 12
    assert ledger["first"].number in body and ledger["rome"].number not in body
    assert "Nearest eligible store to the delivery address" in body
    assert "Reversal (Cancelled)" in body


def test_the_page_needs_few_queries(client, manager_milano, ledger, django_assert_max_num_queries):
    client.force_login(manager_milano)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("commissions")).status_code == 200


def test_manager_of_milano_cannot_see_romas_commissions(client, manager_milano, ledger):
    client.force_login(manager_milano)
    assert client.get(reverse("commissions"), {"store": "RM01"}).status_code == 404


def test_an_associate_cannot_open_the_commission_page(client, associate_milano, ledger):
    client.force_login(associate_milano)
    assert client.get(reverse("commissions")).status_code == 403


def test_filters_by_kind_and_order(client, manager_milano, ledger):
    client.force_login(manager_milano)
    body = client.get(reverse("commissions"), {"kind": "reversal"}).content.decode()
    assert ledger["second"].number in body and ledger["first"].number not in body
    body = client.get(reverse("commissions"), {"order": ledger["first"].number}).content.decode()
    assert "1 entry" in body


@pytest.mark.parametrize(
    "query", [{"period": "2026-13"}, {"period": "'; drop"}, {"kind": "bogus"}, {"page": "-1"}, {"page": "x" * 50}]
)
def test_malformed_filters_are_shown_not_fatal(client, manager_milano, ledger, query):
    client.force_login(manager_milano)
    assert client.get(reverse("commissions"), query).status_code == 200


def test_htmx_gets_only_the_entries(client, manager_milano, ledger):
    client.force_login(manager_milano)
    body = client.get(reverse("commissions"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="commission-entries"' in body and "<html" not in body


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_lists_the_filtered_entries(client, manager_milano, ledger):
    client.force_login(manager_milano)
    rows = csv_rows(client.get(reverse("commissions"), {"format": "csv"}))
    assert rows[0][:3] == ["Order", "Order date", "Store"]
    assert sorted(row[8] for row in rows[1:]) == ["-2.50", "2.50", "5.00"]
    assert {row[2] for row in rows[1:]} == {"MI01"}


def test_the_csv_names_each_order_as_the_page_does(client, manager_milano, ledger):
    """The page lists the portal's order number; the CSV named orders by the e-commerce reference instead."""
    client.force_login(manager_milano)
    page = client.get(reverse("commissions")).content.decode()
    on_page = set(re.findall(r'<tr data-testid="entry-row">\s*<td[^>]*>([^<]+)</td>', page))
    rows = csv_rows(client.get(reverse("commissions"), {"format": "csv"}))
    header = rows[0]
    in_csv = {row[header.index("Order")] for row in rows[1:]}
    assert on_page == in_csv == {ledger["first"].number, ledger["second"].number}
    # The e-commerce site's reference is still there, in its own column.
    assert {row[header.index("External reference")] for row in rows[1:]} == {
        ledger["first"].external_id,
        ledger["second"].external_id,
    }


def test_the_csv_keeps_machine_formats(client, manager_milano, store_milano):
    """ISO dates (the day as the page shows it, in the portal's time zone), dot decimals, no thousands
    separators, rates as fractions, the currency's code in its own column."""
    default_policy()
    # 00:30 on 1 April in Rome is still 31 March in UTC: the page says 01/04/2026, and so must the CSV.
    order = order_with_lines((1, "24680.00", "0"), placed_at=dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC), **MILANO)
    commission_credit_order(order_id=order.pk)
    client.force_login(manager_milano)
    page = client.get(reverse("commissions"), {"period": "2026-04"}).content.decode()
    assert "01/04/2026" in page
    rows = csv_rows(client.get(reverse("commissions"), {"period": "2026-04", "format": "csv"}))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Order"] == order.number
    assert record["Order date"] == "2026-04-01"
    assert record["Month"] == "2026-04"
    assert (record["Base"], record["Rate"], record["Share"], record["Amount"]) == (
        "24680.00",
        "0.0500",
        "1.0000",
        "1234.00",
    )
    assert record["Currency"] == "EUR"
    assert re.fullmatch(r"\d+\.\d{3}", record["Distance (km)"])


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(client, manager_milano, store_milano):
    CommissionPolicy.objects.filter(pk=default_policy().pk).update(name='=HYPERLINK("http://evil.example","x")')
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    commission_credit_order(order_id=order.pk)
    client.force_login(manager_milano)
    rows = csv_rows(client.get(reverse("commissions"), {"format": "csv"}))
    assert rows[1][rows[0].index("Policy")] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][rows[0].index("Amount")] == "5.00"  # numbers stay numbers


def test_the_page_shows_money_with_its_currency_and_rates_as_percentages(client, manager_milano, ledger):
    client.force_login(manager_milano)
    body = client.get(reverse("commissions"), {"kind": "credit"}).content.decode()
    amounts = re.findall(r'data-testid="entry-amount">([^<]+)<', body)
    assert sorted(amounts) == ["€2.50", "€5.00"]
    assert "0.0500" not in body and ">5%<" in body and ">100%<" in body
    assert 'data-label="Why this store"' in body  # a card label on a portrait tablet: the column is never cut off
    italian = client.get("/it/commissions/", {"kind": "credit"}).content.decode()
    assert sorted(re.findall(r'data-testid="entry-amount">([^<]+)<', italian)) == ["2,50\xa0€", "5,00\xa0€"]


def test_the_manager_is_asked_in_the_page_dialog_before_approving_or_disputing(client, manager_milano, store_milano):
    statement = last_month_statement(store_milano)
    client.force_login(manager_milano)
    body = client.get(reverse("commissions")).content.decode()
    for url in ("commission-statement-approve", "commission-statement-dispute"):
        form = re.search(rf'<form method="post" action="{reverse(url, args=[statement.pk])}"[^>]*>', body)
        assert form and "data-confirm=" in form.group(0)


def test_head_office_is_not_offered_the_stores_review(client, head_office, store_milano):
    statement = last_month_statement(store_milano)
    client.force_login(head_office)
    body = client.get(reverse("commissions"), {"store": "MI01"}).content.decode()
    assert reverse("commission-statement-approve", args=[statement.pk]) not in body
    assert f"{reverse('commissions-network')}?period=" in body and "Finalise…" in body  # on the network page


def test_manager_approves_a_closed_month(client, manager_milano, store_milano):
    statement = last_month_statement(store_milano)
    client.force_login(manager_milano)
    response = client.post(reverse("commission-statement-approve", args=[statement.pk]))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED


def test_manager_disputes_a_closed_month_with_a_comment(client, manager_milano, store_milano):
    statement = last_month_statement(store_milano)
    client.force_login(manager_milano)
    client.post(reverse("commission-statement-dispute", args=[statement.pk]), {"comment": "OP-1 is missing"})
    statement.refresh_from_db()
    assert (statement.status, statement.comment) == (StatementStatus.DISPUTED, "OP-1 is missing")


def test_a_dispute_without_comment_is_refused_with_a_message(client, manager_milano, store_milano):
    statement = last_month_statement(store_milano)
    client.force_login(manager_milano)
    response = client.post(reverse("commission-statement-dispute", args=[statement.pk]), {"comment": ""}, follow=True)
    assert "needs a comment" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CLOSED


def test_manager_of_milano_cannot_approve_romas_statement(client, manager_milano, store_roma):
    statement = last_month_statement(store_roma)
    client.force_login(manager_milano)
    assert client.post(reverse("commission-statement-approve", args=[statement.pk])).status_code == 404
    assert (
        client.post(reverse("commission-statement-dispute", args=[statement.pk]), {"comment": "x"}).status_code == 404
    )
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CLOSED


def test_approving_needs_a_post(client, manager_milano, store_milano):
    client.force_login(manager_milano)
    statement = last_month_statement(store_milano)
    assert client.get(reverse("commission-statement-approve", args=[statement.pk])).status_code == 405


def test_head_office_sees_every_store_side_by_side(client, head_office, ledger, store_milano, store_roma):
    last_month_statement(store_milano, StatementStatus.APPROVED)
    client.force_login(head_office)
    response = client.get(reverse("commissions-network"), {"period": f"{current_period():%Y-%m}"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="network-MI01"' in body and 'data-testid="network-RM01"' in body
    roma = body[body.index('data-testid="network-RM01"') :]
    assert re.search(r'data-testid="network-net">€10.00<', roma)  # Roma's net, with its currency
    total = body[body.index('data-testid="network-total"') :]
    assert 'data-label="Credits">€17.50<' in total  # the network's credits: 5.00 + 2.50 + 10.00


def test_the_network_page_needs_few_queries(client, head_office, ledger, django_assert_max_num_queries):
    client.force_login(head_office)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("commissions-network")).status_code == 200


def test_a_manager_cannot_open_the_network_page(client, manager_milano):
    client.force_login(manager_milano)
    assert client.get(reverse("commissions-network")).status_code == 403


def test_head_office_finalises_from_the_network_page(client, head_office, store_milano):
    statement = last_month_statement(store_milano, StatementStatus.APPROVED)
    client.force_login(head_office)
    page = client.get(reverse("commissions-network")).content.decode()
    form = re.search(
        rf'<form method="post" action="{reverse("commission-statement-finalise", args=[statement.pk])}"[^>]*>', page
    )
    assert form and "data-confirm=" in form.group(0)  # asked in the page's own dialog first
    response = client.post(reverse("commission-statement-finalise", args=[statement.pk]))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.FINALISED and statement.finalised_at <= timezone.now()


@pytest.mark.parametrize("status", [StatementStatus.CLOSED, StatementStatus.DISPUTED])
def test_finalising_a_month_the_store_has_not_approved_needs_a_reason(client, head_office, store_milano, status):
    statement = last_month_statement(store_milano, status)
    client.force_login(head_office)
    page = client.get(reverse("commissions-network")).content.decode()
    assert 'name="override_reason"' in page and 'data-testid="finalise-override"' in page
    response = client.post(reverse("commission-statement-finalise", args=[statement.pk]), follow=True)
    assert "needs head office&#x27;s reason" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == status


def test_head_office_finalises_with_a_reason_and_every_page_shows_it(client, head_office, manager_milano, store_milano):
    statement = last_month_statement(store_milano, StatementStatus.DISPUTED)
    client.force_login(head_office)
    response = client.post(
        reverse("commission-statement-finalise", args=[statement.pk]),
        {"override_reason": "Agreed with Marco by phone: OP-12 was a pickup."},
        follow=True,
    )
    assert "finalised without the store&#x27;s approval" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.FINALISED
    assert statement.override_reason == "Agreed with Marco by phone: OP-12 was a pickup."
    assert "OP-12 was a pickup" in response.content.decode()  # the network page, where it landed
    client.force_login(manager_milano)
    store_page = client.get(reverse("commissions")).content.decode()
    assert 'data-testid="override-reason"' in store_page and "OP-12 was a pickup" in store_page


def test_a_manager_cannot_finalise(client, manager_milano, store_milano):
    statement = last_month_statement(store_milano, StatementStatus.APPROVED)
    client.force_login(manager_milano)
    assert client.post(reverse("commission-statement-finalise", args=[statement.pk])).status_code == 403


def test_the_page_speaks_italian(client, manager_milano, ledger):
    client.force_login(manager_milano)
    body = client.get("/it/commissions/").content.decode()
    assert "Commissione netta, ultimi 12 mesi" in body and "Perché questo negozio" in body


def test_a_period_filter_shows_that_month(client, manager_milano, store_milano):
    default_policy()
    order = order_with_lines((1, "100.00", "0"), placed_at=dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), **MILANO)
    commission_credit_order(order_id=order.pk)
    client.force_login(manager_milano)
    body = client.get(reverse("commissions"), {"period": "2026-03"}).content.decode()
    assert order.number in body and Decimal("5.00").to_eng_string() in body
