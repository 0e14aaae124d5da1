"""The review of a closed month on both tablet sizes: the manager approves it through the page's own dialog
(Keep first: nothing happens), head office finalises it; a month the store never approved is finalised only with
a reason, which the page then shows. The pages never scroll sideways, and the CSV names orders as the page does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
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

MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}
ROMA = {"delivery_lat": 41.8897, "delivery_lon": 12.4700}

# Every element inside the viewport's width (the skip link waits off-screen on purpose), and no sideways scroll.
WIDER_THAN_THE_VIEWPORT = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const element of document.querySelectorAll('body *:not(.skip-link)')) {
        const box = element.getBoundingClientRect();
        if (box.width && (box.right > width + 0.5 || box.left < -0.5)) wide.push(element.tagName + '.' + element.className);
    }
    for (const wrap of document.querySelectorAll('.table-wrap')) {
        if (wrap.scrollWidth > wrap.clientWidth) wide.push('columns hidden in ' + wrap.className);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) wide.push('the page scrolls sideways');
    return wide;
}"""


@pytest.fixture(params=[(768, 1024), (1024, 768)], ids=["portrait", "landscape"])
def tablet(request, browser, live_server):
    """A new tablet of each size: `tablet()` opens a signed-out tab that records console errors and CSP refusals."""
    contexts = []

    def open_tab():
        width, height = request.param
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB", has_touch=True, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base_url = live_server.url
        tab.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) =>"
            " console.error(`Refused to load ${e.blockedURI || 'inline'} (${e.violatedDirective})`));"
        )
        tab.console_errors = []
        tab.on("console", lambda message: tab.console_errors.append(message.text) if message.type == "error" else None)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def _credited(count: int, placed_at: dt.datetime, **place) -> list[str]:
    customer = CustomerFactory()
    product = ProductFactory(category=CategoryFactory(code=f"general-{place['delivery_lat']}"))
    orders = OrderFactory.create_batch(count, customer=customer, placed_at=placed_at, **place)
    for order in orders:
        OrderLineFactory(order=order, product=product, quantity=1, unit_price=Decimal("1234.00"))
    commissions_credit_orders(order_ids=[order.pk for order in orders])
    return [order.number for order in orders]


@pytest.fixture
def last_month_closed(store_milano, store_roma, manager_milano, head_office):
    """Last month: three orders near Milano Duomo and two near Roma Corso (61.70 commission each), closed by beat."""
    default_policy()
    month = previous_month(current_period())
    placed_at = timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(12)))
    numbers = _credited(3, placed_at, **MILANO)
    _credited(2, placed_at, **ROMA)
    statements_close_ended_months()
    return {
        "month": month,
        "milano": Statement.objects.get(store=store_milano, period=month),
        "roma": Statement.objects.get(store=store_roma, period=month),
        "numbers": numbers,
    }


def _status(statement: Statement) -> str:
    statement.refresh_from_db()
    return statement.status


def test_manager_approves_through_the_dialog_and_head_office_finalises(tablet, last_month_closed):
    month = f"{last_month_closed['month']:%Y-%m}"
    milano, roma = last_month_closed["milano"], last_month_closed["roma"]

    manager = tablet()
    sign_in(manager, "marco_milano")
    manager.goto(f"{manager.base_url}/commissions/?period={month}")
    assert manager.evaluate(WIDER_THAN_THE_VIEWPORT) == []
    assert manager.get_by_test_id("total-net").inner_text() == "€185.10"  # 3 × 61.70, with its currency
    # "Why this store" is there on every entry, whatever the width.
    assert manager.get_by_test_id("entry-reason").count() == 3
    assert all(reason.is_visible() for reason in manager.get_by_test_id("entry-reason").all())

    row = manager.get_by_test_id(f"statement-{month}")
    row.get_by_role("button", name="Approve").click()
    dialog = manager.get_by_test_id("confirm-dialog")
    dialog.wait_for()
    assert "Approve the statement for" in dialog.inner_text()
    manager.get_by_test_id("confirm-keep").click()
    dialog.wait_for(state="hidden")
    manager.wait_for_timeout(500)
    assert _status(milano) == StatementStatus.CLOSED  # "Keep": nothing happened
    assert "Closed, awaiting review" in row.inner_text()

    row.get_by_role("button", name="Approve").click()
    with manager.expect_navigation():
        manager.get_by_test_id("confirm-yes").click()
    manager.get_by_test_id("toast").filter(has_text="approved").wait_for()
    assert _status(milano) == StatementStatus.APPROVED
    assert "Approved by the store" in manager.get_by_test_id(f"statement-{month}").inner_text()
    assert manager.evaluate(WIDER_THAN_THE_VIEWPORT) == []

    head_office = tablet()
    sign_in(head_office, "helena_hq")
    head_office.goto(f"{head_office.base_url}/commissions/network/?period={month}")
    assert head_office.evaluate(WIDER_THAN_THE_VIEWPORT) == []
    milano_row = head_office.get_by_test_id("network-MI01")
    assert milano_row.get_by_test_id("network-net").inner_text() == "€185.10"
    # Roma never approved its month: no plain Finalise for it, only the override that asks why.
    roma_row = head_office.get_by_test_id("network-RM01")
    assert roma_row.get_by_test_id("finalise").count() == 0

    milano_row.get_by_test_id("finalise").click()
    head_office.get_by_test_id("confirm-dialog").wait_for()
    head_office.get_by_test_id("confirm-keep").click()
    head_office.wait_for_timeout(500)
    assert _status(milano) == StatementStatus.APPROVED
    milano_row.get_by_test_id("finalise").click()
    with head_office.expect_navigation():
        head_office.get_by_test_id("confirm-yes").click()
    head_office.get_by_test_id("toast").filter(has_text="finalised").wait_for()
    assert _status(milano) == StatementStatus.FINALISED and milano.override_reason == ""

    roma_row.locator("summary", has_text="Finalise anyway").click()
    roma_row.get_by_label("Why finalise it without the store's approval?").fill("Store manager on leave; checked.")
    assert head_office.evaluate(WIDER_THAN_THE_VIEWPORT) == []
    roma_row.get_by_role("button", name="Finalise with this reason").click()
    with head_office.expect_navigation():
        head_office.get_by_test_id("confirm-yes").click()
    assert _status(roma) == StatementStatus.FINALISED
    assert roma.override_reason == "Store manager on leave; checked."
    assert "Store manager on leave; checked." in head_office.get_by_test_id("network-RM01").inner_text()
    assert head_office.evaluate(WIDER_THAN_THE_VIEWPORT) == []

    assert manager.console_errors == [] and head_office.console_errors == []


def test_the_csv_names_orders_as_the_page_and_keeps_machine_formats(tablet, last_month_closed):
    month = f"{last_month_closed['month']:%Y-%m}"
    manager = tablet()
    sign_in(manager, "marco_milano")
    manager.goto(f"{manager.base_url}/commissions/?period={month}")
    on_page = set(manager.locator("[data-testid=entry-row] td.cell-main").all_inner_texts())
    with manager.expect_download() as download:
        manager.get_by_test_id("export-csv").click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    assert {row["Order"] for row in rows} == on_page == set(last_month_closed["numbers"])
    assert {row["Order date"] for row in rows} == {f"{month}-10"}
    assert {(row["Base"], row["Rate"], row["Amount"], row["Currency"]) for row in rows} == {
        ("1234.00", "0.0500", "61.70", "EUR")
    }
    assert manager.console_errors == []
