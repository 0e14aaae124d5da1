"""An associate recognises a walk-in customer on the tablet and turns her online cart into a basket."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from clienteling.factories import CartFactory, CartLineFactory, CustomerFactory
from clienteling.models import ProfileAccess
from inventory.factories import ProductFactory, StockLevelFactory
from orders.models import Basket
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def giulia_with_a_cart(store_milano, store_roma):
    giulia = CustomerFactory(first_name="Giulia", last_name="Verdi", consent_clienteling=True)
    CustomerFactory(first_name="Paolo", last_name="Bianchi")
    jacket = ProductFactory(sku="GIACCA-M", name="Giacca lana", price=Decimal("199.00"))
    StockLevelFactory(product=jacket, location=store_milano, on_hand=3)
    StockLevelFactory(product=jacket, location=store_roma, on_hand=5)
    cart = CartFactory(customer=giulia)
    CartLineFactory(cart=cart, product=jacket, sku=jacket.sku, quantity=1, unit_price=Decimal("199.00"))
    return giulia


def test_search_three_letters_open_profile_see_cart_availability_and_start_the_basket(
    page, associate_milano, giulia_with_a_cart
):
    sign_in(page, "anna_milano")
    page.get_by_role("link", name="Customers").click()
    page.wait_for_load_state("networkidle")

    page.fill("#id_q", "ver")  # three letters of the surname; results arrive as you type (htmx)
    results = page.get_by_test_id("search-results")
    results.wait_for()
    assert "Giulia Verdi" in results.inner_text() and "Paolo Bianchi" not in results.inner_text()

    results.get_by_role("link", name=re.compile("Giulia Verdi")).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("customer-name").inner_text() == "Giulia Verdi"
    assert ProfileAccess.objects.get().via == "search"

    line = page.get_by_test_id("cart-line")
    assert "Giacca lana" in line.inner_text()
    assert line.get_by_test_id("atp-here").inner_text() == "3"
    assert line.get_by_test_id("atp-network").inner_text() == "8"
    assert page.get_by_role("columnheader", name="At Milano Duomo").is_visible()

    with page.expect_request(lambda request: request.method == "POST" and "basket-from-cart" in request.url):
        page.get_by_test_id("start-basket").click()
    page.wait_for_load_state("networkidle")
    assert f"/orders/new/?customer={giulia_with_a_cart.pk}" in page.url
    assert "Giacca lana" in page.content()

    basket = Basket.objects.get(customer=giulia_with_a_cart)
    assert [line.product.sku for line in basket.lines.all()] == ["GIACCA-M"]


def test_search_works_without_javascript_submit(page, associate_milano, giulia_with_a_cart):
    sign_in(page, "anna_milano")
    page.goto(f"{page.base_url}/customers/?q=verdi")
    assert "Giulia Verdi" in page.get_by_test_id("search-results").inner_text()


def test_switch_person_with_a_pin_on_the_shared_tablet(page, associate_milano, manager_milano):
    sign_in(page, "anna_milano")
    page.get_by_test_id("signed-in-as").click()  # the person menu
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "marco_milano")
    assert page.get_by_test_id("signed-in-as").get_attribute("aria-label") == "Marco Test"
    assert page.get_by_test_id("signed-in-as").inner_text() == "MT"
    page.get_by_test_id("signed-in-as").click()
    page.get_by_test_id("switch-person-link").click()
    page.get_by_test_id("switch-person").filter(has_text="Anna Test").click()
    page.fill("#id_pin", "1234")
    page.get_by_role("button", name="Switch", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("signed-in-as").get_attribute("aria-label") == "Anna Test"


def test_profile_has_no_horizontal_scroll_in_portrait(browser, live_server, associate_milano, giulia_with_a_cart):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    tab = context.new_page()
    tab.base_url = live_server.url
    sign_in(tab, "anna_milano")
    tab.goto(f"{live_server.url}/customers/{giulia_with_a_cart.pk}/")
    assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()


def test_touch_targets_on_search_and_profile_are_at_least_44px(page, associate_milano, giulia_with_a_cart):
    sign_in(page, "anna_milano")
    small = """() => [...document.querySelectorAll('main a.btn, main button, main .row-link, main input:not([type=hidden]), main select, main textarea')]
        .filter(el => el.offsetParent !== null)
        .map(el => el.getBoundingClientRect())
        .filter(r => r.height < 44 || r.width < 44).length"""
    page.goto(f"{page.base_url}/customers/?q=verdi")
    assert page.evaluate(small) == 0
    page.goto(f"{page.base_url}/customers/{giulia_with_a_cart.pk}/")
    assert page.evaluate(small) == 0


def test_a_scanned_loyalty_number_opens_the_profile(page, associate_milano, giulia_with_a_cart):
    """What scan.js does once the camera read a code: fill the box, mark it as a scan, submit (htmx)."""
    sign_in(page, "anna_milano")
    page.goto(f"{page.base_url}/customers/")
    assert page.get_by_test_id("scan-button").is_visible()  # a camera API exists: the button is offered
    number = giulia_with_a_cart.loyalty_number
    with page.expect_navigation():
        page.evaluate(
            """number => { document.getElementById('id_q').value = number;
                          document.getElementById('id_via').value = 'scan';
                          document.getElementById('customer-search-form').requestSubmit(); }""",
            number,
        )
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/customers/{giulia_with_a_cart.pk}/?via=scan")
    assert ProfileAccess.objects.get().via == "scan"


def test_the_vendored_decoder_reads_a_loyalty_qr_code_offline(page, associate_milano):
    """The fallback for browsers without BarcodeDetector: ZXing from our static files decodes a QR code."""
    sign_in(page, "anna_milano")
    page.goto(f"{page.base_url}/customers/")
    page.add_script_tag(url=f"{page.base_url}/static/vendor/zxing/zxing-library.min.js")
    decoded = page.evaluate(
        """async () => {
            const matrix = new ZXing.QRCodeWriter().encode('L000000042', ZXing.BarcodeFormat.QR_CODE, 200, 200, new Map());
            const canvas = document.createElement('canvas');
            canvas.width = matrix.getWidth(); canvas.height = matrix.getHeight();
            const g = canvas.getContext('2d');
            g.fillStyle = '#fff'; g.fillRect(0, 0, canvas.width, canvas.height); g.fillStyle = '#000';
            for (let x = 0; x < canvas.width; x++) for (let y = 0; y < canvas.height; y++) if (matrix.get(x, y)) g.fillRect(x, y, 1, 1);
            const result = await new ZXing.BrowserMultiFormatReader().decodeFromImageUrl(canvas.toDataURL());
            return result.getText();
        }"""
    )
    assert decoded == "L000000042"
