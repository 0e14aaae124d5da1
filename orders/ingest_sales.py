"""In-store till sales pushed by the POS: idempotent by external_id, all-or-nothing per batch.

A sale does not touch stock: on_hand is owned by the stock feed, which reports the till's decrement.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec
from django.db import transaction

from clienteling.ingest import _known_customers, customers_by_loyalty, stores_by_code
from inventory.ingest import Counts
from inventory.models import Product
from omniportal.api_batch import MAX_MONEY, Checker, Currency, Money, PositiveQuantity, Timestamp, text

from .models import Sale, SaleLine


class SaleLineIn(msgspec.Struct):
    sku: text(64)
    quantity: PositiveQuantity
    unit_price: Money


class SaleIn(msgspec.Struct):
    external_id: text(64)
    store: text(32, description="Store code.")
    sold_at: Timestamp
    currency: Currency
    # sales_record refuses an empty sale, and one whose total is over MAX_MONEY (which no schema can say).
    lines: Annotated[
        list[SaleLineIn],
        msgspec.Meta(
            description="At least one; the sale's total (quantity × unit_price, summed) is at most 9999999999.99.",
            extra_json_schema={"minItems": 1},
        ),
    ]
    customer_external_id: text(64, required=False) | None = None
    loyalty_number: text(32, required=False) | None = None


def _sale_total(sale: SaleIn) -> Decimal:
    """What the till took for a sale: the sum of its lines (a till sale has no discount line of its own)."""
    return sum((line.quantity * Decimal(line.unit_price) for line in sale.lines), Decimal(0))


@transaction.atomic
def sales_record(*, items: list[SaleIn]) -> Counts:
    """Record sales; an external_id already stored (or repeated in the batch) is ignored."""
    checker = Checker()
    stores = stores_by_code({s.store for s in items})
    for index, sale in enumerate(items):
        if sale.store not in stores:
            checker.add(index, "store", f"Unknown store '{sale.store}'.")
        checker.currency(index, "currency", sale.currency)
        if not sale.lines:
            checker.add(index, "lines", "A sale has at least one line.")
        if _sale_total(sale) > MAX_MONEY:
            checker.add(index, "lines", "The sale's total is too large.")
    checker.raise_if_any()

    existing = set(
        Sale.objects.filter(external_id__in=[s.external_id for s in items]).values_list("external_id", flat=True)
    )
    fresh: dict[str, SaleIn] = {}
    for sale in items:
        if sale.external_id not in existing:
            fresh.setdefault(sale.external_id, sale)
    customers = _known_customers({s.customer_external_id for s in fresh.values() if s.customer_external_id})
    by_loyalty = customers_by_loyalty({s.loyalty_number for s in fresh.values() if s.loyalty_number})
    products = dict(
        Product.objects.filter(sku__in={line.sku for s in fresh.values() for line in s.lines}).values_list("sku", "id")
    )
    sales = []
    for sale in fresh.values():
        customer_id = customers.get(sale.customer_external_id or "")
        external_customer = sale.customer_external_id or ""
        if customer_id is None and sale.loyalty_number in by_loyalty:
            customer_id, found = by_loyalty[sale.loyalty_number]
            external_customer = external_customer or found
        sales.append(
            Sale(
                external_id=sale.external_id,
                store_id=stores[sale.store],
                sold_at=sale.sold_at,
                currency=sale.currency,
                customer_id=customer_id,
                customer_external_id=external_customer,
                loyalty_number=sale.loyalty_number or "",
                total=_sale_total(sale),
            )
        )
    Sale.objects.bulk_create(sales, batch_size=1000)
    lines = [
        SaleLine(
            sale=row,
            sku=line.sku,
            product_id=products.get(line.sku),
            quantity=line.quantity,
            unit_price=Decimal(line.unit_price),
        )
        for row, sale in zip(sales, fresh.values(), strict=True)
        for line in sale.lines
    ]
    SaleLine.objects.bulk_create(lines, batch_size=2000)
    return Counts(created=len(sales), ignored=len(items) - len(sales))
