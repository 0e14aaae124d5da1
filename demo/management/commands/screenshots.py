"""`make screenshots`: every page as each demo role sees it, on a portrait and a landscape tablet.

Serves the portal on a free loopback port (the database of `make run`, with its demo data), signs in as each
demo person in headless Debian Chromium (Playwright) and saves one PNG per page and size under
docs/screenshots/: `<role>-<page>-<width>x<height>.png`. The README shows a few of them; the rest are for
looking at, not for the repository (.gitignore).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from playwright.sync_api import Page, sync_playwright

from clienteling.models import CartStatus, Customer
from demo.seed import DEMO_PASSWORD
from inventory.models import Product
from orders.models import OrderChannel
from orders.selectors import orders_visible_to

CHROMIUM = "/usr/bin/chromium"
SIZES = ((768, 1024), (1024, 768))
# (name, role it is shown to, path); {customer}, {sku}, {order}, {token} are filled from the demo data.
PAGES = (
    ("today", "all", "/"),
    ("customer-search", "all", "/customers/?q=ros"),
    ("customer-360", "all", "/customers/{customer}/"),
    ("inventory-search", "all", "/inventory/?q=giacca"),
    ("inventory-sku", "all", "/inventory/{sku}/"),
    ("checkout", "all", "/orders/new/?customer={customer}"),
    ("order", "all", "/orders/{order}/"),
    ("pickups", "all", "/pickups/"),
    ("to-ship", "all", "/shipments/"),
    ("commissions", "manager", "/commissions/"),
    ("commissions-network", "headoffice", "/commissions/network/"),
    ("insights", "manager", "/insights/"),
    ("access-log", "manager", "/customers/access-log/"),
    ("set-pin", "all", "/accounts/pin/"),
    ("switch-person", "all", "/accounts/switch/"),
    ("not-found", "all", "/customers/999999999/"),
    ("italian-today", "all", "/it/"),
)
PUBLIC_PAGES = (("sign-in", "/accounts/login/"), ("tracking", "/track/{token}/"))
PEOPLE = (("associate", "anna_milano"), ("manager", "marco_milano"), ("headoffice", "helena_hq"))


@dataclass(frozen=True)
class DemoKeys:
    customer: int
    sku: str
    order: str
    token: str


def _demo_keys() -> DemoKeys:
    """A customer whose profile shows everything (an active cart, orders, consent) and an order the associate may
    open (sold, handed over or shipped by their store), so that no page of the set is empty or a 404."""
    associate = get_user_model().objects.get(username=PEOPLE[0][1])
    customers = Customer.objects.filter(consent_clienteling=True, erased_at=None)
    customer = (
        customers.filter(carts__status=CartStatus.ACTIVE, orders__isnull=False, wishlist__isnull=False).first()
        or customers.filter(carts__status=CartStatus.ACTIVE).first()
        or customers.first()
    )
    product = Product.objects.filter(active=True, stock_levels__on_hand__gt=0).order_by("sku").first()
    visible = orders_visible_to(user=associate)
    order = (
        visible.filter(channel=OrderChannel.ENDLESS_AISLE).order_by("-placed_at").first()
        or visible.order_by("-placed_at").first()
    )
    if customer is None or product is None or order is None:
        raise CommandError("No demo data: run `make run` once (it loads the demo into an empty database).")
    return DemoKeys(customer.pk, product.sku, order.number, order.tracking_token)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise CommandError(f"The portal did not answer at {url}.")


class Command(BaseCommand):
    help = "Save every page, as each demo role, at 768×1024 and 1024×768 under docs/screenshots/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))
        parser.add_argument("--only", nargs="*", default=None, help="page names to take (default: all)")

    def handle(self, *args, **options) -> None:
        if not Path(CHROMIUM).exists():
            raise CommandError("Debian's chromium is needed: apt-get install chromium")
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        keys = _demo_keys()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            env={**os.environ, "DEBUG": "true"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(f"{base}/healthz")
            taken = self._take_all(base, keys, output, options["only"])
        finally:
            server.terminate()
            server.wait(timeout=10)
        self.stdout.write(f"{taken} screenshots in {output}")

    def _take_all(self, base: str, keys: DemoKeys, output: Path, only: list[str] | None) -> int:
        fill = {"customer": keys.customer, "sku": keys.sku, "order": keys.order, "token": keys.token}
        taken = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
            )
            for width, height in SIZES:
                context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
                page = context.new_page()
                for name, path in PUBLIC_PAGES:
                    if only is None or name in only:
                        taken += self._shot(
                            page, base + path.format(**fill), output / f"public-{name}-{width}x{height}.png"
                        )
                context.close()
                for role, username in PEOPLE:
                    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
                    page = context.new_page()
                    self._sign_in(page, base, username)
                    for name, shown_to, path in PAGES:
                        if only is not None and name not in only:
                            continue
                        if shown_to not in ("all", role) and not (shown_to == "manager" and role == "headoffice"):
                            continue
                        file = output / f"{role}-{name}-{width}x{height}.png"
                        taken += self._shot(page, base + path.format(**fill), file)
                    context.close()
            browser.close()
        return taken

    @staticmethod
    def _sign_in(page: Page, base: str, username: str) -> None:
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    def _shot(self, page: Page, url: str, file: Path) -> int:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(file), full_page=True)
        self.stdout.write(f"  {file.name}")
        return 1
