"""The manager's commission page at scale: 50 entries a page, month totals over every entry, constant queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clienteling.factories import CustomerFactory
from inventory.factories import CategoryFactory, ProductFactory
from orders.commissions.ledger import commissions_credit_orders
from orders.commissions.periods import current_period
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import CommissionEntry
from orders.selectors import commission_period_totals

from .commission_support import default_policy

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}
ORDER_NUMBER = re.compile(r'<tr data-testid="entry-row">\s*<td[^>]*>(OP-\d+)</td>')


def credited_orders(count: int, **fields) -> list[str]:
    """`count` orders of 100.00 credited (5.00 each at the default 5%); their numbers."""
    default_policy()
    customer = CustomerFactory()
    product = ProductFactory(category=CategoryFactory(code="general"))
    orders = OrderFactory.create_batch(count, customer=customer, **fields)
    for order in orders:
        OrderLineFactory(order=order, product=product, quantity=1, unit_price=Decimal("100.00"))
    commissions_credit_orders(order_ids=[order.pk for order in orders])
    return [order.number for order in orders]


@pytest.fixture
def busy_month(store_milano, store_roma):
    """This month: 120 credited orders for Milano (600.00 net), 7 for Roma."""
    credited_orders(7, **ROMA)
    return credited_orders(120, **MILANO)


def numbers_on(response) -> list[str]:
    assert response.status_code == 200
    return ORDER_NUMBER.findall(response.content.decode())


def test_pages_hold_50_entries_and_together_list_the_month_once(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    pages = [numbers_on(client.get(reverse("commissions"), {"page": number})) for number in (1, 2, 3)]
    assert [len(numbers) for numbers in pages] == [50, 50, 20]
    assert sorted(number for numbers in pages for number in numbers) == sorted(busy_month)


def test_the_month_totals_count_every_entry_on_every_page(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    for number in (1, 3):
        body = client.get(reverse("commissions"), {"page": number}).content.decode()
        assert 'data-testid="total-net">€600.00<' in body
        assert 'data-testid="total-credits">€600.00<' in body
        assert 'data-testid="total-entries">120<' in body


def test_the_month_totals_ignore_the_list_filters(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    response = client.get(reverse("commissions"), {"order": busy_month[0]})
    assert numbers_on(response) == [busy_month[0]]
    assert 'data-testid="total-net">€600.00<' in response.content.decode()


def test_the_totals_selector_sums_one_store_in_sql(manager_milano, store_milano, busy_month):
    totals = commission_period_totals(user=manager_milano, store=store_milano, period=current_period())
    assert (totals.credits, totals.reversals, totals.net, totals.entries) == (
        Decimal("600.00"),
        Decimal("0.00"),
        Decimal("600.00"),
        120,
    )


def test_the_totals_selector_gives_nothing_for_a_store_not_of_the_user(manager_milano, store_roma, busy_month):
    totals = commission_period_totals(user=manager_milano, store=store_roma, period=current_period())
    assert (totals.net, totals.entries) == (Decimal("0.00"), 0)


def test_page_links_keep_the_filters(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    body = client.get(reverse("commissions"), {"kind": "credit", "page": 2}).content.decode()
    assert 'data-testid="page-number">Page 2 of 3<' in body
    assert 'href="/commissions/?kind=credit&amp;page=3"' in body  # next
    assert 'href="/commissions/?kind=credit&amp;page=1"' in body  # previous and first
    assert 'hx-get="/commissions/?kind=credit&amp;page=3"' in body


@pytest.mark.parametrize("page", ["4", "99", "9" * 30])
def test_a_page_past_the_last_shows_the_last_page(client, manager_milano, busy_month, page):
    client.force_login(manager_milano)
    response = client.get(reverse("commissions"), {"page": page})
    assert len(numbers_on(response)) == 20
    assert 'data-testid="page-number">Page 3 of 3<' in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "", "9" * 5000])
def test_a_malformed_page_shows_the_first_page(client, manager_milano, busy_month, page):
    client.force_login(manager_milano)
    response = client.get(reverse("commissions"), {"page": page})
    assert len(numbers_on(response)) == 50
    assert 'data-testid="page-number">Page 1 of 3<' in response.content.decode()


def test_a_nul_in_the_page_is_refused_like_anywhere_else(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    assert client.get(reverse("commissions"), {"page": "1\x00"}).status_code == 400


def test_an_empty_month_has_no_pager_and_zero_totals(client, manager_milano, store_milano):
    client.force_login(manager_milano)
    body = client.get(reverse("commissions"), {"page": 5}).content.decode()
    assert 'data-testid="pager"' not in body
    assert 'data-testid="total-net">€0.00<' in body


def test_htmx_page_change_swaps_only_the_entries_with_their_pager(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    response = client.get(reverse("commissions"), {"page": 2}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="commission-entries"')
    assert len(numbers_on(response)) == 50
    assert 'data-testid="pager"' in body and 'data-testid="total-net">€600.00<' in body


def test_manager_of_milano_gets_404_for_romas_pages(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    assert client.get(reverse("commissions"), {"store": "RM01", "page": 2}).status_code == 404


def test_milanos_pages_never_list_romas_entries(client, manager_milano, store_roma, busy_month):
    client.force_login(manager_milano)
    listed = {n for page in (1, 2, 3) for n in numbers_on(client.get(reverse("commissions"), {"page": page}))}
    romas = set(CommissionEntry.objects.filter(store=store_roma).values_list("order__number", flat=True))
    assert romas and not listed & romas


def test_an_associate_gets_403_on_any_page(client, associate_milano, busy_month):
    client.force_login(associate_milano)
    assert client.get(reverse("commissions"), {"page": 2}).status_code == 403


def test_head_office_pages_through_any_store(client, head_office, busy_month):
    client.force_login(head_office)
    response = client.get(reverse("commissions"), {"store": "RM01", "page": 9})
    assert len(numbers_on(response)) == 7
    assert 'data-testid="total-entries">7<' in response.content.decode()


# User, staff profile, stores (twice), the entry count, the chart, the page, the statements, the totals: nine
# whatever the number of entries (one spare for a middleware query).
PAGE_QUERIES = 10


@pytest.mark.parametrize("page", [1, 2, 3])
def test_the_page_costs_the_same_queries_with_120_entries(
    client, manager_milano, busy_month, django_assert_max_num_queries, page
):
    client.force_login(manager_milano)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("commissions"), {"page": page}).status_code == 200


def test_the_page_costs_the_same_queries_with_one_entry(
    client, manager_milano, store_milano, django_assert_max_num_queries
):
    credited_orders(1, **MILANO)
    client.force_login(manager_milano)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("commissions")).status_code == 200


def test_the_page_speaks_italian(client, manager_milano, busy_month):
    client.force_login(manager_milano)
    body = client.get("/it/commissions/", {"page": 2}).content.decode()
    assert "Pagina 2 di 3" in body and "Ultima" in body and "Prima" in body
    assert "Totali di" in body
