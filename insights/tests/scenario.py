"""Builders for hand-made insight scenarios (no tests here): a cart, a till sale, a credit at a local time."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from clienteling.factories import BrowsingEventFactory, CartFactory, CartLineFactory, CustomerFactory
from clienteling.models import Cart, CartStatus, Customer, EventType
from orders.factories import OrderFactory, SaleFactory, SaleLineFactory
from orders.models import CommissionEntry, CommissionPolicy, EntryKind, LocationSource, Sale

ROME = ZoneInfo("Europe/Rome")
DAY = date(2026, 10, 1)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


def customer_near(store, km: float | None, **fields) -> Customer:
    return CustomerFactory(nearest_store=store if km is not None else None, nearest_store_km=km, **fields)


def cart(
    customer: Customer | None, when: datetime, status: str = CartStatus.ABANDONED, skus=("SKU-A",), currency="EUR"
) -> Cart:
    made = CartFactory(customer=customer, status=status, source_updated_at=when, currency=currency)
    for sku in skus:
        CartLineFactory(cart=made, product=None, sku=sku, quantity=1, unit_price=Decimal("50.00"))
    return made


def sale(customer: Customer | None, store, when: datetime, lines=(("SKU-A", 1, "50.00"),), currency="EUR") -> Sale:
    made = SaleFactory(customer=customer, store=store, sold_at=when, currency=currency)
    for sku, quantity, price in lines:
        SaleLineFactory(sale=made, product=None, sku=sku, quantity=quantity, unit_price=Decimal(price))
    return made


def viewed(customer: Customer, sku: str, when: datetime, kind: str = EventType.PRODUCT_VIEW) -> None:
    BrowsingEventFactory(customer=customer, sku=sku, occurred_at=when, type=kind)


def credit(store, when: datetime, amount: str = "5.00", channel: str = "web", kind: str = EntryKind.CREDIT):
    order = OrderFactory(placed_at=when, channel=channel)
    policy = CommissionPolicy.objects.order_by("pk").first() or CommissionPolicy.objects.create(
        name="Default", effective_from=date(2020, 1, 1), default_rate=Decimal("0.05"), assisted_share=Decimal("0.5")
    )
    return CommissionEntry.objects.create(
        order=order,
        store=store,
        kind=kind,
        event_key="credit" if kind == EntryKind.CREDIT else "change:1",
        amount=Decimal(amount),
        base_amount=Decimal(amount) * 20,
        currency="EUR",
        period=when.date().replace(day=1),
        location_source=LocationSource.GIVEN,
        policy=policy,
        rate=Decimal("0.05"),
        share=Decimal("1"),
    )
