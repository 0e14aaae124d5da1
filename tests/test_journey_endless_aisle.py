"""An associate sells something only another location holds, delivered to the customer's home, tracked."""

from __future__ import annotations

import pytest

from clienteling.factories import CartFactory, CartLineFactory, CustomerFactory
from inventory.factories import ProductFactory, StockLevelFactory
from orders.models import Order, OrderStatus
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


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
    assert _no_horizontal_scroll(page)
    page.fill("#id_till_receipt", "R-2026-0042")
    page.get_by_test_id("place-order").click()
    page.wait_for_load_state("networkidle")

    order = Order.objects.get()
    assert page.get_by_test_id("order-status").inner_text() == "Placed"
    assert page.locator("[data-testid=tracking-qr] svg").count() == 1
    assert _no_horizontal_scroll(page)
    assert order.status == OrderStatus.PLACED
    assert sorted(order.lines.values_list("source__code", flat=True)) == ["MI01", "RM01"]

    page.get_by_test_id("tracking-link").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("track-status").inner_text() == "Placed"
    assert "Bianchi" not in page.content()
