"""Head office opens the insight page on a 1024×768 tablet and sees the charts drawn."""

from __future__ import annotations

from datetime import timedelta

import pytest

from insights.facts import insight_days_rebuild, local_today
from insights.tests.scenario import at, cart, customer_near, sale
from tests.conftest import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_head_office_sees_the_insight_charts_at_1024(page, head_office, store_milano, store_roma):
    day = local_today() - timedelta(days=20)
    near = customer_near(store_milano, 1.5)
    cart(near, at(day, 10), skus=("SKU-A",))
    sale(near, store_milano, at(day + timedelta(days=2)), lines=[("SKU-A", 1, "80.00")])
    far = customer_near(store_roma, 80.0)
    cart(far, at(day, 11), status="ordered", skus=("SKU-B",))
    insight_days_rebuild(date_from=day, date_to=local_today() - timedelta(days=1))

    sign_in(page, "helena_hq")
    page.goto(f"{page.base_url}/insights/")

    assert page.viewport_size == {"width": 1024, "height": 768}
    charts = page.locator("[data-testid=insight-chart] svg")
    assert charts.count() == 3
    assert page.locator("svg rect.bar").count() >= 4
    first_bar = page.locator("svg rect.bar").first.bounding_box()
    assert first_bar is not None and first_bar["height"] > 0 and first_bar["width"] > 0
    assert "0–5 km" in page.get_by_test_id("insight-reading").inner_text()
    # Tablet rule: the page itself never scrolls sideways (wide tables scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=insight-chart] svg").count() == 3
