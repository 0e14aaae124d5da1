"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


CHROMIUM_ARGS = ("--no-sandbox", "--disable-background-networking")


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole run: every browser below is launched from it (two sync drivers
    cannot run in one thread)."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test body are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def launch_chromium(playwright_driver, *extra_args: str):
    """Headless Debian Chromium with our flags and any `extra_args` (a fake camera, say)."""
    return playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = launch_chromium(playwright_driver)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh 1024×768 tablet page; `page.base_url` is the live server."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB", has_touch=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def sign_in(page, username: str, password: str = "correct-horse-battery", lang_prefix: str = "") -> None:
    page.goto(f"{page.base_url}{lang_prefix}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
