"""The availability page on a portrait tablet: the nearest locations first, the rest loaded in place."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory.factories import ProductFactory
from inventory.models import StockLevel
from inventory.views import NEAREST_SHOWN
from omniportal.models import Location
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_more_loads_the_next_locations_into_the_table_without_leaving_the_page(
    page, associate_milano, store_milano
):
    product = ProductFactory(sku="TEE-1", name="T-shirt")
    others = Location.objects.bulk_create(
        Location(code=f"L{n:02d}", name=f"Sede {n:02d}", kind="store", country="IT", lat=45 - n / 10, lon=9.19)
        for n in range(59)
    )
    StockLevel.objects.bulk_create(
        StockLevel(location=location, product=product, on_hand=1, as_of=timezone.now())
        for location in [store_milano, *others]
    )
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "anna_milano")
    page.goto(f"{page.base_url}/inventory/TEE-1/")
    rows = page.locator("[data-testid=availability] tbody tr")
    expect(rows).to_have_count(NEAREST_SHOWN)
    expect(rows.first).to_have_attribute("data-testid", "this-store")

    page.evaluate("window.stillThisPage = true")

    page.get_by_test_id("show-all-locations").click()  # the next 25, appended
    expect(rows).to_have_count(2 * NEAREST_SHOWN)
    page.get_by_test_id("show-all-locations").click()  # the last 10

    expect(rows).to_have_count(60)
    expect(page.get_by_test_id("show-all-locations")).to_have_count(0)
    assert page.url.endswith("/inventory/TEE-1/")
    assert page.evaluate("window.stillThisPage === true")  # swapped in by htmx, not a new page load
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
