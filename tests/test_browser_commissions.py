"""A store manager reviews last month's commission statement on a tablet: totals, two pages of entries, approval.

An associate of the same store can neither open the page nor approve.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.factories import CustomerFactory
from inventory.factories import CategoryFactory, ProductFactory
from orders.commissions.ledger import commissions_credit_orders
from orders.commissions.periods import current_period, previous_month
from orders.commissions.statements import statements_close_ended_months
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import Statement, StatementStatus
from orders.tests.commission_support import default_policy
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORDERS = 60  # two pages of 50


@pytest.fixture
def last_month_closed(store_milano, manager_milano, associate_milano) -> Statement:
    """60 home deliveries near Milano Duomo last month, 100.00 each (5.00 commission each), and the month closed."""
    default_policy()
    month = previous_month(current_period())
    placed_at = timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(12)))
    customer = CustomerFactory()
    product = ProductFactory(category=CategoryFactory(code="general"))
    orders = OrderFactory.create_batch(
        ORDERS, customer=customer, placed_at=placed_at, delivery_lat=45.466, delivery_lon=9.186
    )
    for order in orders:
        OrderLineFactory(order=order, product=product, quantity=1, unit_price=Decimal("100.00"))
    commissions_credit_orders(order_ids=[order.pk for order in orders])
    statements_close_ended_months()
    return Statement.objects.get(store=store_milano, period=month)


def test_manager_reviews_two_pages_of_entries_and_approves_the_month(page, last_month_closed):
    month = f"{last_month_closed.period:%Y-%m}"
    sign_in(page, "marco_milano")
    page.get_by_test_id("nav-more").locator("summary").click()  # a manager's reviews are under More
    page.get_by_role("link", name="Commissions", exact=True).click()
    page.wait_for_load_state("networkidle")

    statement_row = page.get_by_test_id(f"statement-{month}")
    assert "Closed, awaiting review" in statement_row.inner_text()
    statement_row.get_by_role("link").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_test_id("total-net").inner_text() == "€300.00"
    assert page.get_by_test_id("total-entries").inner_text() == str(ORDERS)
    assert page.get_by_test_id("entry-row").count() == 50
    assert page.get_by_test_id("page-number").inner_text() == "Page 1 of 2"
    first_page = set(page.locator("[data-testid=entry-row] td:first-child").all_inner_texts())

    page.evaluate("window.stillTheSamePage = true")  # gone if "Next" reloaded the whole page
    page.get_by_test_id("pager").get_by_role("link", name="Next").click()
    page.get_by_test_id("page-number").filter(has_text="Page 2 of 2").wait_for()
    assert page.get_by_test_id("entry-row").count() == ORDERS - 50
    second_page = set(page.locator("[data-testid=entry-row] td:first-child").all_inner_texts())
    assert not first_page & second_page and len(first_page | second_page) == ORDERS
    assert page.get_by_test_id("total-net").inner_text() == "€300.00"  # the month, not the page
    assert page.evaluate("window.stillTheSamePage === true")  # htmx swapped the entries only
    # Tablet rule: the page never scrolls sideways (the entries table scrolls inside its own box).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert re.search(r"[?&]page=2(&|$)", page.url) and f"period={month}" in page.url  # and pushed the URL

    page.get_by_test_id(f"statement-{month}").get_by_role("button", name="Approve").click()
    with page.expect_navigation():
        page.get_by_test_id("confirm-yes").click()  # asked in the page's own dialog first
    page.wait_for_load_state("networkidle")

    assert "approved" in page.get_by_role("status").inner_text()
    assert "Approved by the store" in page.get_by_test_id(f"statement-{month}").inner_text()
    last_month_closed.refresh_from_db()
    assert last_month_closed.status == StatementStatus.APPROVED
    assert last_month_closed.reviewed_by.username == "marco_milano"


def test_pages_of_entries_work_without_javascript(browser, live_server, last_month_closed):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False)
    tab = context.new_page()
    tab.base_url = live_server.url
    sign_in(tab, "marco_milano")
    tab.goto(f"{live_server.url}/commissions/?period={last_month_closed.period:%Y-%m}")
    tab.get_by_test_id("pager").get_by_role("link", name="Last").click()
    assert tab.get_by_test_id("page-number").inner_text() == "Page 2 of 2"
    assert tab.get_by_test_id("entry-row").count() == ORDERS - 50
    context.close()


def test_an_associate_can_neither_open_the_statement_nor_approve_it(page, last_month_closed):
    sign_in(page, "anna_milano")
    assert page.get_by_role("link", name="Commissions", exact=True).count() == 0

    response = page.goto(f"{page.base_url}/commissions/")
    assert response.status == 403

    # A forged approval with a valid CSRF token (taken from the home page) is refused for the role, not the token.
    page.goto(f"{page.base_url}/")
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const response = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token}});
            return [response.status, await response.text()];
        }""",
        f"/commissions/statements/{last_month_closed.pk}/approve/",
    )
    assert status[0] == 403 and "CSRF" not in status[1]
    last_month_closed.refresh_from_db()
    assert last_month_closed.status == StatementStatus.CLOSED
