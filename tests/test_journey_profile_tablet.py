"""The 360 profile and Today on both tablets: nothing wider than the screen, every column of the cart, wishlist and
orders still there (as cards when narrow), pictures that load, and a task's Done that can be undone for 10 s."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.factories import (
    BrowsingEventFactory,
    CartFactory,
    CartLineFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    VisitFactory,
)
from clienteling.models import FollowUpTask, TaskStatus, WishlistItem
from inventory.factories import CategoryFactory, ProductFactory, StockLevelFactory
from orders.factories import OrderFactory, OrderLineFactory, SaleFactory
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLETS = [pytest.param((768, 1024), id="portrait"), pytest.param((1024, 768), id="landscape")]
UNDO_MS = 10_000

# Elements whose right edge passes the viewport (fixed layers and the visually hidden are not content).
WIDER_THAN_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
        .filter(el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
        .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
        .filter(el => !el.closest('.visually-hidden, thead, dialog, #toasts, template'))
        .map(el => `${el.tagName.toLowerCase()}.${el.className}`);
}"""

# Table cells scrolled out of their box (a .table-wrap scrolls sideways): cut off, though not wider than the screen.
CUT_OFF_CELLS = """() => [...document.querySelectorAll('main .table-wrap')].flatMap(wrap => {
    const edge = wrap.getBoundingClientRect().right + 1;
    return [...wrap.querySelectorAll('td, th')]
        .filter(cell => cell.offsetParent !== null && !cell.closest('thead.visually-hidden'))
        .filter(cell => { const r = cell.getBoundingClientRect(); return r.width > 1 && r.right > edge; })
        .map(cell => cell.textContent.trim());
})"""

# The words a cell is shown under: its column heading when the table is a table, its own label when it is a card.
CELL_LABEL = """cell => {
    const before = getComputedStyle(cell, '::before').content;
    if (before && before !== 'none' && before !== 'normal') return before.replace(/^"|"$/g, '');
    const th = cell.closest('table').querySelectorAll('thead th')[cell.cellIndex];
    const box = th.getBoundingClientRect();
    return box.width > 1 && box.right <= document.documentElement.clientWidth + 1 ? th.textContent.trim() : '';
}"""


@pytest.fixture
def aurora(store_milano, store_roma):
    """A consenting customer as the demo makes them: a cart, a wishlist, orders of every kind, visits, a task."""
    CategoryFactory(code="BOR", name="Borse e pelletteria")
    aurora = CustomerFactory(
        first_name="Aurora",
        last_name="Benedetti",
        sizes={"top": "L", "bottom": "42", "shoes": "36"},
        preferences={"colours": ["terracotta", "bordeaux"], "categories": ["BOR"], "contact": "sms"},
    )
    coat = ProductFactory(
        sku="UOM-00028",
        name="Giubbotto Urbino in flanella, cammello",
        price=Decimal("156.00"),
        image_url="/static/demo/products/jacket-cammello.svg",
    )
    tote = ProductFactory(sku="BOR-00003", name="Tote Capri in canvas, sabbia", price=Decimal("89.00"), image_url="")
    for product in (coat, tote):
        StockLevelFactory(product=product, location=store_milano, on_hand=2)
        StockLevelFactory(product=product, location=store_roma, on_hand=5)
    cart = CartFactory(customer=aurora)
    CartLineFactory(cart=cart, product=coat, sku=coat.sku, quantity=1, unit_price=Decimal("156.00"))
    CartLineFactory(cart=cart, product=tote, sku=tote.sku, quantity=2, unit_price=Decimal("89.00"))
    WishlistItem.objects.create(customer=aurora, product=tote, sku=tote.sku, added_at=timezone.now())
    WishlistItem.objects.create(customer=aurora, product=coat, sku=coat.sku, added_at=timezone.now())
    BrowsingEventFactory.create_batch(3, customer=aurora, product=coat, sku=coat.sku)
    for status in ("delivered", "cancelled"):
        order = OrderFactory(customer=aurora, status=status)
        OrderLineFactory(order=order, product=coat, quantity=1, unit_price=Decimal("156.00"))
    SaleFactory(customer=aurora, store=store_roma, total=Decimal("773.70"))
    VisitFactory(customer=aurora, store=store_roma, seen_at=timezone.now() - timedelta(days=3))
    FollowUpTaskFactory(customer=aurora, store=store_milano, title="Richiamare per la prova del giubbotto")
    return aurora


def _tablet(browser, live_server, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", has_touch=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    problems: list[str] = []
    tab.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error(`Refused to load ${e.blockedURI || 'inline'} (${e.violatedDirective})`));"
    )
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    return context, tab, problems


@pytest.mark.parametrize("size", TABLETS)
def test_the_profile_fits_the_tablet_and_keeps_every_column(browser, live_server, associate_milano, aurora, size):
    context, tab, problems = _tablet(browser, live_server, size)
    sign_in(tab, "anna_milano")
    tab.goto(f"{live_server.url}/customers/{aurora.pk}/")
    tab.wait_for_load_state("networkidle")

    assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert tab.evaluate(WIDER_THAN_SCREEN) == []
    assert tab.evaluate(CUT_OFF_CELLS) == []

    for line in tab.get_by_test_id("cart-line").all():
        network = line.get_by_test_id("atp-network")
        assert network.is_visible() and network.evaluate(CELL_LABEL) == "Network"
        assert line.get_by_test_id("atp-here").evaluate(CELL_LABEL) == "At Milano Duomo"
    assert tab.get_by_test_id("cart-line").count() == 2
    for line in tab.get_by_test_id("wishlist-line").all():
        network = line.get_by_test_id("wishlist-network")
        assert network.is_visible() and network.evaluate(CELL_LABEL) == "Network"
        assert network.inner_text() == "7"

    rows = tab.get_by_test_id("order-row")
    assert rows.count() == 3
    statuses = [row.get_by_test_id("order-status") for row in rows.all()]
    totals = [row.get_by_test_id("order-total") for row in rows.all()]
    assert all(cell.is_visible() and cell.evaluate(CELL_LABEL) == "Status" for cell in statuses)
    assert all(cell.is_visible() and cell.evaluate(CELL_LABEL) == "Total" for cell in totals)
    assert {cell.inner_text() for cell in statuses} == {"Delivered", "Cancelled", "—"}
    assert {cell.inner_text() for cell in totals} == {"€156.00", "€773.70"}

    # Pictures: the coat's drawing has loaded wherever the coat is listed; the tote, without one, has the placeholder.
    pictures = tab.locator("#cart img[data-testid=thumb], #wishlist img[data-testid=thumb], #events img")
    assert pictures.count() == 1 + 1 + 3
    assert pictures.evaluate_all("imgs => imgs.every(img => img.complete && img.naturalWidth > 0)")
    assert tab.locator("#cart [data-testid=thumb-none]").count() == 1
    assert tab.locator(".profile-head .initials").inner_text() == "AB"

    assert tab.get_by_test_id("preferences").inner_text().count("terracotta and burgundy") == 1
    assert "€929.70" in tab.get_by_test_id("lifetime-value").inner_text()
    assert "Roma Corso" in tab.get_by_test_id("visit").inner_text()
    assert problems == []
    context.close()


def _done_then(tab, task_row, *, undo: bool) -> None:
    task_row.get_by_test_id("task-done").click()
    toast = tab.get_by_test_id("toast").filter(has_text="Done: Richiamare per la prova del giubbotto")
    toast.wait_for()
    assert "is-pending" in task_row.get_attribute("class")
    if undo:
        toast.get_by_test_id("undo").click()
        assert toast.count() == 0
        assert "is-pending" not in task_row.get_attribute("class")


@pytest.mark.parametrize("size", TABLETS)
def test_done_on_the_profile_can_be_undone_for_ten_seconds(browser, live_server, associate_milano, aurora, size):
    context, tab, problems = _tablet(browser, live_server, size)
    tab.clock.install()
    sign_in(tab, "anna_milano")
    tab.goto(f"{live_server.url}/customers/{aurora.pk}/")
    tab.wait_for_load_state("networkidle")
    task = FollowUpTask.objects.get()
    row = tab.get_by_test_id("task").filter(has_text=task.title)
    posts: list[str] = []
    tab.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    # Done, then Undo: nothing is sent, not even when the ten seconds have passed.
    _done_then(tab, row, undo=True)
    tab.clock.run_for(UNDO_MS + 2_000)
    assert posts == []
    assert FollowUpTask.objects.get().status == TaskStatus.OPEN and row.is_visible()

    # Done, then wait: sent once the ten seconds are over; the list comes back without it, with a toast.
    _done_then(tab, row, undo=False)
    tab.clock.run_for(UNDO_MS - 1_000)
    assert posts == [] and FollowUpTask.objects.get().status == TaskStatus.OPEN
    with tab.expect_response(lambda response: "/complete/" in response.url):
        tab.clock.run_for(2_000)
    tab.get_by_test_id("toast").filter(has_text="Task completed.").wait_for()
    assert FollowUpTask.objects.get().status == TaskStatus.DONE
    assert tab.get_by_test_id("task").count() == 0
    assert len(posts) == 1
    assert problems == []
    context.close()


def test_done_on_today_can_be_undone_and_then_done(browser, live_server, associate_milano, aurora):
    context, tab, problems = _tablet(browser, live_server, (768, 1024))
    tab.clock.install()
    sign_in(tab, "anna_milano")
    row = tab.get_by_test_id("today-task").filter(has_text="Richiamare per la prova del giubbotto")
    _done_then(tab, row, undo=True)
    tab.clock.run_for(UNDO_MS + 2_000)
    assert FollowUpTask.objects.get().status == TaskStatus.OPEN

    _done_then(tab, row, undo=False)
    with tab.expect_response(lambda response: "/today/tasks/" in response.url):
        tab.clock.run_for(UNDO_MS + 1_000)
    tab.get_by_test_id("toast").filter(has_text="Task completed.").wait_for()
    assert FollowUpTask.objects.get().status == TaskStatus.DONE
    assert tab.get_by_test_id("today-task").count() == 0
    # The toast was this page's: the next page does not repeat it.
    tab.goto(f"{live_server.url}/inventory/")
    assert tab.get_by_test_id("toast").filter(has_text="Task completed.").count() == 0
    assert problems == []
    context.close()


@pytest.mark.parametrize("size", TABLETS)
def test_head_office_picks_a_store_on_today_in_one_tap(browser, live_server, head_office, store_milano, size):
    context, tab, problems = _tablet(browser, live_server, size)
    sign_in(tab, "helena_hq")
    tab.get_by_test_id("today-choose-store").wait_for()
    assert tab.evaluate(WIDER_THAN_SCREEN) == []
    tab.get_by_test_id("today-store-choice").filter(has_text="Milano Duomo").click()
    tab.wait_for_load_state("networkidle")
    assert tab.get_by_role("heading", name="Today at Milano Duomo").is_visible()
    assert problems == []
    context.close()
