"""The tablet's shell, as a person uses it in Chromium, portrait and landscape: the header, the store switch, the
basket badge, toasts on the page that made them, the language, and every page fitting the screen."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.models import FollowUpTask
from inventory.factories import ProductFactory, StockLevelFactory
from omniportal.factories import LocationFactory, staff
from omniportal.models import Role
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import DeliveryMethod, OrderStatus
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(768, 1024), (1024, 768)]
PEOPLE = {"associate": "anna_milano", "manager": "marco_milano", "headoffice": "helena_hq"}


@pytest.fixture
def tablet(browser, live_server, request):
    """A touch tablet of the size the test names (`size` parameter), English unless the test says otherwise."""
    width, height = request.param if hasattr(request, "param") else (768, 1024)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", has_touch=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    tab.console_errors = []
    tab.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error(`Refused to load ${e.blockedURI || 'inline'} (${e.violatedDirective})`));"
    )
    tab.on("console", lambda message: tab.console_errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def people(store_milano):
    second = LocationFactory(code="MI02", name="Milano Porta Nuova", lat=45.4845, lon=9.1900)
    return {
        "associate": staff("anna_milano", Role.ASSOCIATE, store_milano),
        "manager": staff("marco_milano", Role.MANAGER, store_milano, second),
        "headoffice": staff("helena_hq", Role.HEAD_OFFICE),
        "second_store": second,
    }


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height")


def _wider_than_the_screen(page) -> list[str]:
    """Elements that stick out of the viewport, and whether the page scrolls sideways."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [];
            if (document.documentElement.scrollWidth > width + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
            for (const el of document.querySelectorAll('body *')) {
                if (el.closest('dialog:not([open]), details:not([open]) > :not(summary), template')) continue;
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                if (box.width > width + 1 || box.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.right)}px`);
            }
            return out.slice(0, 10);
        }"""
    )


@pytest.mark.parametrize("tablet", SIZES, indirect=True, ids=["portrait", "landscape"])
@pytest.mark.parametrize("role", ["associate", "manager", "headoffice"])
def test_the_header_is_one_row_of_at_most_64px_for_every_role(tablet, people, role):
    sign_in(tablet, PEOPLE[role])
    tablet.goto(f"{tablet.base_url}/customers/")
    assert _header_height(tablet) <= 64
    assert _wider_than_the_screen(tablet) == []
    assert tablet.console_errors == []


@pytest.mark.parametrize("tablet", SIZES, indirect=True, ids=["portrait", "landscape"])
def test_a_manager_of_two_stores_switches_store_in_one_tap_and_today_pickups_and_to_ship_follow(tablet, people):
    second = people["second_store"]
    pickup = OrderFactory(
        number="OP-PICK-MI02", delivery_method=DeliveryMethod.PICKUP, pickup_store=second, status=OrderStatus.PLACED
    )
    shipped_from_second = OrderFactory(number="OP-SHIP-MI02", status=OrderStatus.PLACED)
    OrderLineFactory(order=shipped_from_second, source=second, quantity=1, unit_price=Decimal("10.00"))
    sign_in(tablet, "marco_milano")
    assert tablet.get_by_test_id("current-store").inner_text() == "Milano Duomo"
    assert "OP-PICK-MI02" not in tablet.content()

    tablet.get_by_test_id("current-store").click()
    tablet.get_by_test_id("store-choice").filter(has_text="Milano Porta Nuova").click()
    tablet.wait_for_load_state("networkidle")

    assert tablet.get_by_test_id("current-store").inner_text() == "Milano Porta Nuova"
    assert pickup.number in tablet.content()  # Today's pickups to prepare
    assert tablet.get_by_test_id("toast").first.inner_text().startswith("Now working for Milano Porta Nuova")
    tablet.goto(f"{tablet.base_url}/pickups/")
    assert pickup.number in tablet.content()
    tablet.goto(f"{tablet.base_url}/shipments/")
    assert shipped_from_second.number in tablet.content()
    assert tablet.console_errors == []


def test_head_office_works_for_the_network_and_picks_a_store_to_see_its_day(tablet, people, store_milano):
    sign_in(tablet, "helena_hq")
    assert tablet.get_by_test_id("current-store").inner_text() == "Whole network"
    tablet.goto(f"{tablet.base_url}/pickups/")  # a page about one store asks which
    tablet.get_by_test_id("store-list").get_by_text("Milano Duomo").click()
    tablet.wait_for_load_state("networkidle")
    assert tablet.url.endswith("/pickups/")
    assert tablet.get_by_test_id("current-store").inner_text() == "Milano Duomo"


def test_the_basket_in_progress_is_on_every_page_with_its_count(tablet, people, store_milano, giulia):
    product = ProductFactory(sku="SCARF-1", name="Sciarpa", price=Decimal("40.00"))
    StockLevelFactory(product=product, location=store_milano, on_hand=5)
    sign_in(tablet, "anna_milano")
    tablet.goto(f"{tablet.base_url}/orders/new/?customer={giulia.pk}")
    tablet.goto(f"{tablet.base_url}/inventory/SCARF-1/")
    tablet.get_by_test_id("add-to-basket").click()
    tablet.wait_for_load_state("networkidle")
    tablet.goto(f"{tablet.base_url}/customers/")
    badge = tablet.get_by_test_id("basket-badge")
    assert badge.get_by_test_id("basket-count").inner_text() == "1"
    badge.click()
    tablet.wait_for_load_state("networkidle")
    assert f"customer={giulia.pk}" in tablet.url


def test_a_toast_shows_on_the_page_that_did_the_action_and_not_on_the_next(tablet, people, giulia):
    sign_in(tablet, "anna_milano")
    tablet.goto(f"{tablet.base_url}/customers/{giulia.pk}/")
    tablet.fill("#id_task_title", "Call about the coat")
    tablet.get_by_role("button", name="Create task").click()
    toast = tablet.get_by_test_id("toast").filter(has_text="Task created.")
    toast.wait_for()
    assert FollowUpTask.objects.filter(title="Call about the coat").exists()
    tablet.goto(f"{tablet.base_url}/inventory/")
    tablet.wait_for_load_state("networkidle")
    assert "Task created." not in tablet.get_by_test_id("toasts").inner_text()
    assert tablet.console_errors == []


def test_a_browser_set_to_italian_gets_italian_at_the_root(browser, live_server, people):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="it-IT", has_touch=True)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/")
    assert "/it/accounts/login/" in tab.url
    assert tab.get_by_role("button", name="Accedi").is_visible()
    tab.fill("#id_username", "anna_milano")
    tab.fill("#id_password", "correct-horse-battery")
    tab.click("button[type=submit]")
    tab.wait_for_load_state("networkidle")
    assert tab.get_by_role("heading", level=1).inner_text() == "Oggi a Milano Duomo"
    context.close()


def test_a_persons_language_follows_them_to_another_tablet(browser, live_server, people):
    first = browser.new_context(locale="en-GB")
    tab = first.new_page()
    tab.base_url = live_server.url
    sign_in(tab, "anna_milano")
    tab.get_by_test_id("signed-in-as").click()
    tab.get_by_role("button", name="Italiano").click()
    tab.wait_for_load_state("networkidle")
    first.close()

    other = browser.new_context(locale="en-GB")  # another tablet, an English browser
    tab = other.new_page()
    tab.base_url = live_server.url
    sign_in(tab, "anna_milano")
    assert tab.get_by_role("heading", level=1).inner_text() == "Oggi a Milano Duomo"
    other.close()


def test_error_pages_are_styled_with_a_way_home_in_both_languages(tablet, people):
    sign_in(tablet, "anna_milano")
    for prefix, heading in (("", "Nothing here"), ("/it", "Qui non c'è niente")):
        response = tablet.goto(f"{tablet.base_url}{prefix}/customers/999999/")
        assert response.status == 404
        assert tablet.get_by_role("heading", level=1).inner_text() == heading
        assert tablet.get_by_test_id("error-home").is_visible()
    response = tablet.goto(f"{tablet.base_url}/commissions/network/")
    assert response.status == 403
    assert tablet.get_by_role("heading", level=1).inner_text() == "Not for your role"


PAGES = {
    "associate": ["/", "/customers/?q=verdi", "/customers/{giulia}/", "/inventory/?q=giacca", "/inventory/GIACCA-M/",
                  "/orders/new/?customer={giulia}", "/pickups/", "/shipments/", "/accounts/pin/", "/store/"],
    "manager": ["/commissions/", "/insights/", "/customers/access-log/"],
    "headoffice": ["/commissions/network/", "/insights/", "/store/"],
}  # fmt: skip


@pytest.mark.parametrize("tablet", SIZES, indirect=True, ids=["portrait", "landscape"])
@pytest.mark.parametrize("role", ["associate", "manager", "headoffice"])
def test_every_page_fits_the_screen_with_nothing_refused_and_no_console_error(tablet, people, role, giulia_online):
    OrderFactory(customer=giulia_online, placed_at=timezone.now() - timedelta(days=2))
    sign_in(tablet, PEOPLE[role])
    if role == "headoffice":
        tablet.goto(f"{tablet.base_url}/store/")
    for path in PAGES[role]:
        tablet.goto(tablet.base_url + path.format(giulia=giulia_online.pk))
        tablet.wait_for_load_state("networkidle")
        assert _wider_than_the_screen(tablet) == [], path
        assert _header_height(tablet) <= 64, path
    assert tablet.console_errors == []
