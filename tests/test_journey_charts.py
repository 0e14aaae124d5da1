"""The insight and commission charts on a tablet, held upright (768 px) and sideways (1024 px): every label
drawn inside its chart and clear of the others, nothing wider than the screen, nothing refused by the CSP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from insights.facts import insight_days_rebuild, local_today
from insights.tests.scenario import at, cart, credit, customer_near, sale
from inventory.factories import LocationFactory
from omniportal.charts import LABEL_SIZE, VALUE_SIZE, text_width
from omniportal.factories import staff
from omniportal.models import Role
from orders.commissions.periods import previous_month
from tests.conftest import sign_in
from tests.test_journey_csp import _watch_for_refusals

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Milano Porta Nuova – Piazza Gae Aulenti e Corso Como, negozio bandiera su due piani"
TABLET = ({"width": 768, "height": 1024}, {"width": 1024, "height": 768})

# For each chart: text boxes outside the drawing, and pairs of category names or values that overlap.
CHART_PROBLEMS = """
() => [...document.querySelectorAll("figure.chart svg")].map((svg) => {
  const frame = svg.getBoundingClientRect();
  const boxes = (selector) => [...svg.querySelectorAll(selector)].map((t) => [t.textContent, t.getBoundingClientRect()]);
  const outside = boxes("text").filter(([, b]) =>
    b.left < frame.left - 0.5 || b.right > frame.right + 0.5 || b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5
  ).map(([text]) => text);
  const overlapping = [];
  for (const selector of ["text.label", "text.value"]) {
    const all = boxes(selector);
    all.forEach(([a, p], i) => all.slice(i + 1).forEach(([b, q]) => {
      if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5) {
        overlapping.push(`${a} / ${b}`);
      }
    }));
  }
  return {outside, overlapping};
})
"""


def _check_charts(page, url: str, expected_charts: int) -> None:
    for viewport in TABLET:
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems = page.evaluate(CHART_PROBLEMS)
        assert len(problems) == expected_charts
        assert problems == [{"outside": [], "overlapping": []}] * expected_charts, viewport
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), viewport


def test_insight_charts_keep_every_label_readable_on_a_tablet(page, head_office, store_roma):
    flagship = LocationFactory(code="MI02", name=LONG_NAME)
    day = local_today() - timedelta(days=20)
    for store, km in ((flagship, 1.0), (store_roma, 30.0)):
        shopper = customer_near(store, km)
        cart(shopper, at(day, 10), skus=("SKU-A",))
        sale(shopper, store, at(day + timedelta(days=2)), lines=[("SKU-A", 1, "1234.50")])
    cart(customer_near(store_roma, 80.0), at(day, 11), status="ordered")
    insight_days_rebuild(date_from=day, date_to=local_today() - timedelta(days=1))
    refusals = _watch_for_refusals(page)
    sign_in(page, "helena_hq")

    _check_charts(page, f"{page.base_url}/insights/", expected_charts=3)
    _check_charts(page, f"{page.base_url}/it/insights/", expected_charts=3)

    flagship = page.locator("figure.chart text.label", has_text="Milano Porta Nuova")
    assert " ".join(flagship.locator("tspan").all_text_contents()) == LONG_NAME  # wrapped, whole
    assert refusals == []


def test_the_commission_chart_keeps_every_label_readable_on_a_tablet(page, store_milano):
    staff("marco_milano", Role.MANAGER, store_milano)
    month = local_today().replace(day=1)
    for amount in ("1250.00", "-480.00", "12.50", "3300.00"):
        credit(store_milano, at(month + timedelta(days=2)), amount)
        month = previous_month(month)
    refusals = _watch_for_refusals(page)
    sign_in(page, "marco_milano")

    _check_charts(page, f"{page.base_url}/commissions/", expected_charts=1)
    _check_charts(page, f"{page.base_url}/it/commissions/", expected_charts=1)

    assert page.locator("[data-testid=commission-chart] text.value", has_text="3.300").count() == 1
    assert refusals == []


DRAWN_WIDTH = """
([text, size, bold]) => {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
  label.setAttribute("font-size", size);
  if (bold) label.setAttribute("font-weight", "600");
  label.textContent = text;
  svg.appendChild(label);
  document.body.appendChild(svg);
  const width = label.getComputedTextLength();
  svg.remove();
  return width;
}
"""


@pytest.mark.parametrize(
    "text",
    ["Distanza sconosciuta", "München Marienplatz", "Wolfgang Müller GmbH & Co.", "iiilllfffrrrttt", "-€1,234.50"],
)
def test_the_charts_text_estimate_is_never_narrower_than_the_browser_draws_it(page, text):
    """The layout relies on it: if the portal's font changes to a wider one, this says so."""
    page.goto(f"{page.base_url}/accounts/login/")

    for size, bold in ((LABEL_SIZE, True), (VALUE_SIZE, False)):
        assert text_width(text, size, bold=bold) >= page.evaluate(DRAWN_WIDTH, [text, size, bold])
