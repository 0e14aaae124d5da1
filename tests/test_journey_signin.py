"""A store associate signs in on a tablet and sees their store's day, in English and in Italian."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_associate_signs_in_and_sees_the_store_home_in_english(page, associate_milano):
    sign_in(page, "anna_milano")
    assert page.get_by_role("heading", level=1).inner_text() == "Today at Milano Duomo"
    assert page.get_by_test_id("current-store").inner_text() == "Milano Duomo"
    assert page.get_by_text("In store now").is_visible()
    assert _no_horizontal_scroll(page)


def test_associate_switches_to_italian_and_sees_the_same_page_translated(page, associate_milano):
    sign_in(page, "anna_milano")
    page.get_by_test_id("signed-in-as").click()  # the language is in the person menu
    page.get_by_role("button", name="Italiano").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith("/it")
    assert page.get_by_role("heading", level=1).inner_text() == "Oggi a Milano Duomo"
    assert page.get_by_text("In negozio ora").is_visible()


def test_sign_in_page_in_italian_and_a_wrong_password_is_explained(page, associate_milano):
    page.goto(f"{page.base_url}/it/accounts/login/")
    page.fill("#id_username", "anna_milano")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Nome utente e password non corrispondono. Riprova."


def test_touch_targets_are_at_least_44px_on_the_home_page(page, associate_milano):
    sign_in(page, "anna_milano")
    too_small = page.evaluate(
        """() => [...document.querySelectorAll('a.btn, button, .mainnav a, input:not([type=hidden])')]
            .filter(el => el.offsetParent !== null)
            .map(el => el.getBoundingClientRect())
            .filter(r => r.height < 44 || r.width < 44).length"""
    )
    assert too_small == 0


def test_portrait_tablet_has_no_horizontal_scroll(browser, live_server, associate_milano):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    tab = context.new_page()
    tab.base_url = live_server.url
    sign_in(tab, "anna_milano")
    assert _no_horizontal_scroll(tab)
    context.close()
