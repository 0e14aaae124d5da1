"""What the tablet downloads (issue 15's figures): each key page's first load with a cold cache, everything the
browser fetches counted as it travels (compressed where the server compresses), and each htmx swap's response.

Headless Debian Chromium through Playwright, signed in as the demo associate with the harness's session cookie.
Targets: a first load ≤ 150 KB, an htmx swap ≤ 20 KB.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from playwright.sync_api import sync_playwright

from clienteling.models import CartStatus, Customer
from inventory.models import Product

CHROMIUM = "/usr/bin/chromium"
FIRST_LOAD_TARGET_KB = 150
SWAP_TARGET_KB = 20


def _keys() -> tuple[int, str] | None:
    customer = (
        Customer.objects.filter(consent_clienteling=True, erased_at=None, carts__status=CartStatus.ACTIVE)
        .order_by("pk")
        .first()
    )
    product = Product.objects.filter(active=True, stock_levels__on_hand__gt=0).order_by("sku").first()
    return (customer.pk, product.sku) if customer and product else None


def _first_load(browser, base_url: str, cookies: list[dict], path: str) -> tuple[int, int]:
    """(bytes over the wire, number of requests) for one page opened in a fresh browser context."""
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    context.add_cookies(cookies)
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    response = page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    if response is None or response.status != 200:
        context.close()
        raise RuntimeError(f"GET {path} → {response.status if response else 'no response'}")
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return total, len(requests)


def run(ctx) -> None:
    keys = _keys()
    associate = get_user_model().objects.filter(username="anna_milano").first()
    if keys is None or associate is None:
        ctx.note("weight", "skipped: no demo associate, customer with a cart or product in this database")
        return
    customer_id, sku = keys
    session = ctx.login("anna_milano")
    host = urlsplit(ctx.base_url).hostname
    cookies = [{"name": c.name, "value": c.value, "domain": host, "path": "/"} for c in session.cookies]
    pages = {
        "Today": "/",
        "customer search": "/customers/",
        "customer 360": f"/customers/{customer_id}/",
        "inventory SKU": f"/inventory/{sku}/",
        "checkout": f"/orders/new/?customer={customer_id}",
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        for name, path in pages.items():
            size, count = _first_load(browser, ctx.base_url, cookies, path)
            ctx.note(
                f"first load: {name}",
                f"{size / 1024:.1f} KB in {count} requests (target ≤ {FIRST_LOAD_TARGET_KB} KB)",
                kilobytes=round(size / 1024, 1),
                requests=count,
                met=size / 1024 <= FIRST_LOAD_TARGET_KB,
            )
        browser.close()
    swaps = {
        "customer search, 3 letters": "/customers/?q=ros",
        "inventory search": "/inventory/?q=giacca",
        "SKU availability, the next 25 locations": f"/inventory/{sku}/?start=25",
        "in store now (Today's poll)": "/?part=in-store-now",
    }
    session.headers["HX-Request"] = "true"
    for name, path in swaps.items():
        response = ctx.check(session.get(ctx.url(path)))
        size = len(response.content) + sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        ctx.note(
            f"htmx swap: {name}",
            f"{size / 1024:.1f} KB (target ≤ {SWAP_TARGET_KB} KB)",
            kilobytes=round(size / 1024, 1),
            met=size / 1024 <= SWAP_TARGET_KB,
        )
