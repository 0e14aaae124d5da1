"""The endless-aisle checkout page: GET /orders/new/?customer=… with a 3-line basket, the plan drawn across the
network, beside the raw SQL of its stock read (the ATP of the basket's products at every shipping location)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from clienteling.models import Customer
from inventory.models import Category, Product, StockLevel
from omniportal.models import Location
from orders.models import Basket, BasketLine, BasketStatus

RAW_STOCK = """
    SELECT s.product_id, s.location_id, GREATEST(s.on_hand - s.reserved - s.safety_stock, 0) AS atp
    FROM inventory_stocklevel s JOIN inventory_location l ON l.id = s.location_id
    WHERE s.product_id = ANY(%s) AND l.active AND l.ships_to_home
      AND s.on_hand - s.reserved - s.safety_stock > 0
"""


def run(ctx) -> None:
    associate = get_user_model().objects.filter(username="anna_milano").first()
    store = Location.objects.filter(code="MI01").first()
    customer = Customer.objects.filter(erased_at__isnull=True).exclude(address_line1="").order_by("pk").first()
    category = Category.objects.order_by("pk").first()
    if associate is None or store is None or customer is None or category is None:
        ctx.note("checkout", "skipped: no demo associate, MI01, customer with an address or category")
        return
    products = []
    for n in range(3):
        product, _created = Product.objects.get_or_create(
            sku=f"BENCH-EA-{n}",
            defaults={
                "name": f"Bench line {n}",
                "category": category,
                "price": "25.00",
                "search_text": f"bench-ea-{n}",
            },
        )
        StockLevel.objects.update_or_create(
            product=product,
            location=store,
            defaults={"on_hand": 10_000_000, "reserved": 0, "safety_stock": 0, "as_of": timezone.now()},
        )
        products.append(product)
    Basket.objects.filter(customer=customer, store=store, status=BasketStatus.OPEN).update(
        status=BasketStatus.ABANDONED
    )
    basket = Basket.objects.create(customer=customer, store=store, created_by=associate)
    BasketLine.objects.bulk_create(BasketLine(basket=basket, product=p, quantity=1) for p in products)
    session = ctx.login("anna_milano", store_code="MI01")
    url = ctx.url(f"/orders/new/?customer={customer.pk}")
    ctx.measure(
        "GET the checkout page, a 3-line basket (plan across the network)",
        lambda: ctx.check(session.get(url)),
        ctx.repeat(200),
        raw_sql=(RAW_STOCK, [[p.pk for p in products]]),
        target="no regression (issue 15)",
    )
    Basket.objects.filter(pk=basket.pk).update(status=BasketStatus.ABANDONED)
