"""Under the Content Security Policy the pages still work in a real browser, and the browser refuses nothing."""

from __future__ import annotations

import pytest

from clienteling.factories import CustomerFactory
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_for_refusals(page) -> list[str]:
    """Collect every CSP refusal. Chromium logs them outside the console API that Playwright listens to, so the page
    also repeats each `securitypolicyviolation` event on the console in the same words."""
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error(`Refused to load ${e.blockedURI || 'inline'} (${e.violatedDirective})`));"
    )
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text) if "Refused to" in message.text else None)
    return refusals


def test_customer_search_as_you_type_works_and_nothing_is_refused(page, associate_milano):
    CustomerFactory(first_name="Giulia", last_name="Verdi", consent_clienteling=True)
    refusals = _watch_for_refusals(page)
    sign_in(page, "anna_milano")
    page.get_by_role("link", name="Customers").click()
    page.wait_for_load_state("networkidle")

    page.fill("#id_q", "ver")  # htmx fetches the results as the associate types
    giulia = page.get_by_test_id("search-results").get_by_text("Giulia").first
    giulia.wait_for()
    giulia.click()  # the profile page has style attributes, which the policy allows
    page.wait_for_load_state("networkidle")
    page.get_by_role("heading", name="Giulia Verdi").first.wait_for()
    assert refusals == []


def test_insights_api_docs_and_admin_load_without_refusals(page, head_office):
    refusals = _watch_for_refusals(page)
    sign_in(page, "helena_hq")
    page.goto(f"{page.base_url}/insights/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/api/docs/")
    page.locator(".swagger-ui .info").wait_for()  # Swagger UI rendered itself from the split-view script
    page.goto(f"{page.base_url}/admin/auth/user/add/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/accounts/lockouts/")
    page.wait_for_load_state("networkidle")
    assert refusals == []
