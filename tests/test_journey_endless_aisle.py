"""An associate sells from the network on a tablet, portrait and landscape: the basket with its totals, home
delivery or click and collect, the amount to charge, the order with the same totals, its parcels, the tracking
page; cancel asks first and "Keep" changes nothing; "collected" can be undone for 10 seconds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clienteling.factories import CartFactory, CartLineFactory, CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from orders.models import DeliveryMethod, Order, OrderStatus
from orders.services.baskets import basket_add, basket_open
from orders.services.lifecycle import order_transition
from orders.services.placing import DeliveryAddress, PlacedLine, order_place
from tests.conftest import launch_chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"portrait": (768, 1024), "landscape": (1024, 768)}

# Every element that ends right of the viewport: what would make the page scroll sideways, or be cut off.
WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((e) => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  });
  const scrolls = document.documentElement.scrollWidth > width;
  return wide.map((e) => `${e.tagName}.${e.className}`).concat(scrolls ? ['the page scrolls sideways'] : []);
}"""


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def tablet(request, playwright_driver, live_server):
    """A touch tablet at 768×1024 or 1024×768 that records console errors and CSP refusals."""
    width, height = SIZES[request.param]
    browser = launch_chromium(playwright_driver)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", has_touch=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    tab.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error(`Refused to load ${e.blockedURI || 'inline'} (${e.violatedDirective})`));"
    )
    tab.errors = []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()
    browser.close()


def _amounts(page, testid: str) -> list[Decimal]:
    return [
        Decimal(a)
        for a in page.locator(f"[data-testid={testid}]").evaluate_all("(e) => e.map((x) => x.dataset.amount)")
    ]


def _fits(page) -> None:
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], page.url


def _goto(page, path: str) -> None:
    page.goto(f"{page.base_url}{path}")
    page.wait_for_load_state("networkidle")


def _customer():
    return CustomerFactory(
        first_name="Lucia",
        last_name="Bianchi",
        email="lucia@example.com",
        address_line1="Via Po 1",
        city="Torino",
        postal_code="10121",
        country="IT",
        lat=45.07,
        lon=7.69,
    )


def _stocked(location, name: str, price: str, on_hand: int = 4):
    product = ProductFactory(name=name, price=Decimal(price))
    StockLevelFactory(location=location, product=product, on_hand=on_hand)
    return product


def test_endless_aisle_order_from_the_profile_to_the_tracking_page(page, associate_milano, store_milano, store_roma):
    customer = CustomerFactory(first_name="Lucia", last_name="Bianchi", email="lucia@example.com")
    scarf = ProductFactory(sku="SCARF-1", name="Silk scarf")
    StockLevelFactory(location=store_milano, product=scarf, on_hand=4)
    CartLineFactory(cart=CartFactory(customer=customer), product=scarf, quantity=1)
    coat = ProductFactory(sku="COAT-RM", name="Cashmere coat")
    StockLevelFactory(location=store_roma, product=coat, on_hand=1)  # only Roma holds it

    sign_in(page, "anna_milano")
    page.goto(f"{page.base_url}/customers/{customer.pk}/")
    page.get_by_test_id("start-basket").click()
    page.wait_for_load_state("networkidle")
    assert "Silk scarf" in page.get_by_test_id("basket").inner_text()

    page.get_by_test_id("add-products").click()
    page.fill("#id_q", "cashmere")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="COAT-RM").click()
    availability = page.get_by_test_id("availability").inner_text()
    assert "Roma Corso" in availability
    page.get_by_test_id("add-to-basket").click()
    page.wait_for_load_state("networkidle")

    sources = page.get_by_test_id("plan-source").all_inner_texts()
    assert sorted(sources) == ["Milano Duomo", "Roma Corso"]
    _fits(page)
    page.fill("#id_till_receipt", "R-2026-0042")
    page.get_by_test_id("place-order").click()
    page.wait_for_load_state("networkidle")

    order = Order.objects.get()
    assert page.get_by_test_id("order-status").inner_text() == "Placed"
    assert page.locator("[data-testid=tracking-qr] svg").count() == 1
    _fits(page)
    assert order.status == OrderStatus.PLACED
    assert sorted(order.lines.values_list("source__code", flat=True)) == ["MI01", "RM01"]

    page.get_by_test_id("tracking-link").evaluate("(a) => a.removeAttribute('target')")
    page.get_by_test_id("tracking-link").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("track-status").inner_text() == "Order placed"
    assert "Bianchi" not in page.content()


def test_the_checkout_and_the_order_page_show_totals_that_add_up(tablet, associate_milano, store_milano, store_roma):
    customer = _customer()
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    basket_add(basket=basket, product=_stocked(store_milano, "Wool coat", "199.00"), quantity=2)
    basket_add(basket=basket, product=_stocked(store_roma, "Silk scarf", "59.90"))
    basket_add(basket=basket, product=_stocked(store_roma, "Leather belt", "12.45"), quantity=3)

    sign_in(tablet, "anna_milano")
    _goto(tablet, f"/orders/new/?customer={customer.pk}")
    lines = _amounts(tablet, "line-total")
    assert lines == [Decimal("398.00"), Decimal("59.90"), Decimal("37.35")]
    assert _amounts(tablet, "order-total") == _amounts(tablet, "amount-to-charge") == [sum(lines)]
    assert tablet.get_by_test_id("amount-to-charge").inner_text() == "€495.25"
    assert tablet.get_by_test_id("amount-to-charge").is_visible()
    assert tablet.get_by_test_id("planned-shipment").count() == 2
    assert "Arrives" in tablet.get_by_test_id("shipment-estimate").first.inner_text()
    _fits(tablet)

    tablet.fill("#id_till_receipt", "R-77")
    tablet.get_by_test_id("place-order").click()
    tablet.wait_for_load_state("networkidle")
    order = Order.objects.get()
    assert tablet.url.endswith(f"/orders/{order.number}/")
    assert _amounts(tablet, "line-total") == lines
    assert _amounts(tablet, "order-total") == [sum(lines)]
    assert tablet.get_by_test_id("parcel").count() == 2
    assert tablet.get_by_test_id("ship-form").count() == 1  # Milano's own parcel, not Roma's
    _fits(tablet)

    _goto(tablet, f"/track/{order.tracking_token}/")
    assert tablet.get_by_test_id("track-items").locator("li").count() == 3
    _fits(tablet)
    assert tablet.errors == []


def test_a_click_and_collect_order_from_the_endless_aisle_reaches_the_pickup_queue(
    tablet, associate_milano, store_milano, store_roma
):
    customer = _customer()
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    basket_add(basket=basket, product=_stocked(store_roma, "Cashmere coat", "320.00"))

    sign_in(tablet, "anna_milano")
    _goto(tablet, f"/orders/new/?customer={customer.pk}")
    tablet.get_by_test_id("delivery-pickup").check()
    assert not tablet.locator("#id_line1").is_visible()  # a pickup asks for no street
    tablet.get_by_test_id("pickup-store").select_option(label="Milano Duomo · this store")
    tablet.get_by_test_id("update-plan").click()
    tablet.wait_for_load_state("networkidle")
    assert "ready for pickup" in tablet.get_by_test_id("plan-summary").inner_text()
    assert tablet.get_by_test_id("shipping-total").inner_text() == "Free"
    _fits(tablet)
    tablet.fill("#id_till_receipt", "R-CC-1")
    tablet.get_by_test_id("place-order").click()
    tablet.wait_for_load_state("networkidle")

    order = Order.objects.get()
    assert (order.delivery_method, order.pickup_store) == (DeliveryMethod.PICKUP, store_milano)
    _goto(tablet, "/pickups/")
    to_prepare = tablet.get_by_test_id("to-prepare")
    assert order.number in to_prepare.inner_text()
    assert "from Roma Corso" in to_prepare.inner_text()
    _fits(tablet)
    assert tablet.errors == []


def test_cancel_asks_in_the_pages_dialog_and_keep_changes_nothing(tablet, associate_milano, store_milano):
    customer = _customer()
    product = _stocked(store_milano, "Wool coat", "199.00")
    order = order_place(
        channel="endless_aisle",
        customer=customer,
        selling_store=store_milano,
        lines=[PlacedLine(product, product.sku, 1, product.price, source=store_milano)],
        delivery_method=DeliveryMethod.HOME,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
        till_receipt="R-1",
    )
    dialogs = []
    tablet.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))  # window.confirm: none
    sign_in(tablet, "anna_milano")
    _goto(tablet, f"/orders/{order.number}/")

    tablet.get_by_test_id("move-cancelled").click()
    dialog = tablet.get_by_test_id("confirm-dialog")
    dialog.wait_for(state="visible")
    assert f"Cancel order {order.number}?" in dialog.inner_text()
    _fits(tablet)
    tablet.get_by_test_id("confirm-keep").click()
    dialog.wait_for(state="hidden")
    tablet.wait_for_timeout(300)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert tablet.get_by_test_id("order-status").inner_text() == "Placed"

    tablet.get_by_test_id("move-cancelled").click()
    tablet.get_by_test_id("confirm-yes").click()
    tablet.wait_for_load_state("networkidle")
    tablet.get_by_test_id("order-status").filter(has_text="Cancelled").wait_for()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert dialogs == []
    assert tablet.errors == []


def test_collected_can_be_undone_for_ten_seconds(tablet, associate_milano, store_milano):
    product = _stocked(store_milano, "Wool coat", "199.00")
    order = order_place(
        channel="web",
        customer=_customer(),
        lines=[PlacedLine(product, product.sku, 1, product.price, source=store_milano)],
        delivery_method=DeliveryMethod.PICKUP,
        pickup_store=store_milano,
        currency="EUR",
    )
    order_transition(order=order, to_status=OrderStatus.READY)
    sign_in(tablet, "anna_milano")
    _goto(tablet, "/pickups/")
    _fits(tablet)
    tablet.get_by_test_id("ready").get_by_test_id("collected").click()
    undo = tablet.get_by_test_id("undo")
    undo.wait_for(state="visible")
    undo.click()
    tablet.wait_for_timeout(300)
    order.refresh_from_db()
    assert order.status == OrderStatus.READY
    assert tablet.errors == []


def test_the_to_ship_list_fits_the_tablet(tablet, associate_roma, store_milano, store_roma):
    customer = _customer()
    lines = [
        PlacedLine(product, product.sku, 2, product.price, source=store_roma)
        for product in (
            _stocked(store_roma, f"Very long product name number {n} in cashmere", "90.00") for n in range(3)
        )
    ]
    order_place(
        channel="endless_aisle",
        customer=customer,
        selling_store=store_milano,
        lines=lines,
        delivery_method=DeliveryMethod.HOME,
        currency="EUR",
        address=DeliveryAddress.from_customer(customer),
        till_receipt="R-1",
    )
    sign_in(tablet, "giulia_roma")
    _goto(tablet, "/shipments/")
    assert tablet.get_by_test_id("shipment").count() == 1
    _fits(tablet)
    assert tablet.errors == []


def test_placing_the_order_shows_progress_and_refuses_a_second_tap(tablet, associate_milano, store_milano):
    customer = _customer()
    basket = basket_open(customer=customer, store=store_milano, actor=associate_milano)
    basket_add(basket=basket, product=_stocked(store_milano, "Wool coat", "199.00"))
    sign_in(tablet, "anna_milano")
    _goto(tablet, f"/orders/new/?customer={customer.pk}")
    tablet.fill("#id_till_receipt", "R-1")
    # Tap twice in one go: the first tap marks the button busy before the page can leave.
    state = tablet.get_by_test_id("place-order").evaluate(
        "(button) => { button.click(); const busy = [button.getAttribute('aria-busy'), button.classList.contains('is-busy')];"
        " button.click(); return busy; }"
    )
    assert state == ["true", True]
    tablet.wait_for_url("**/orders/OMN-*/")
    assert Order.objects.count() == 1
    assert tablet.errors == []
