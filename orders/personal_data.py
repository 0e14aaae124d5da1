"""Orders' part of a customer's export and erasure (registered with clienteling.personal_data).

Orders and till sales are kept after an erasure (accounting, and the commission ledger they explain): they lose
the recipient's name and street, and the loyalty number typed at the till.
"""

from __future__ import annotations

from typing import Any

from clienteling.models import Customer
from clienteling.personal_data import PersonalDataHandler, iso, register_handler

from .models import Order, OrderLine, Sale, SaleLine


def _export(customer: Customer) -> dict[str, Any]:
    order_lines: dict[int, list[dict[str, Any]]] = {}
    for line in OrderLine.objects.filter(order__customer=customer).values(
        "order_id", "sku", "quantity", "unit_price", "discount", "returned_quantity", "cancelled_quantity"
    ):
        order_id = line.pop("order_id")
        order_lines.setdefault(order_id, []).append({k: str(v) if k != "sku" else v for k, v in line.items()})
    orders = [
        {
            "number": order.number,
            "external_id": order.external_id,
            "channel": order.channel,
            "status": order.status,
            "placed_at": iso(order.placed_at),
            "currency": order.currency,
            "delivery": {
                "method": order.delivery_method,
                "name": order.delivery_name,
                "line1": order.delivery_line1,
                "line2": order.delivery_line2,
                "city": order.delivery_city,
                "postal_code": order.delivery_postal_code,
                "country": order.delivery_country,
            },
            "lines": order_lines.get(order.pk, []),
        }
        for order in Order.objects.filter(customer=customer).order_by("placed_at")
    ]
    sale_lines: dict[int, list[dict[str, Any]]] = {}
    for line in SaleLine.objects.filter(sale__customer=customer).values("sale_id", "sku", "quantity", "unit_price"):
        sale_id = line.pop("sale_id")
        sale_lines.setdefault(sale_id, []).append({**line, "unit_price": str(line["unit_price"])})
    sales = [
        {
            "external_id": sale.external_id,
            "store": sale.store.code,
            "sold_at": iso(sale.sold_at),
            "currency": sale.currency,
            "total": str(sale.total),
            "lines": sale_lines.get(sale.pk, []),
        }
        for sale in Sale.objects.filter(customer=customer).select_related("store").order_by("sold_at")
    ]
    return {"orders": orders, "sales": sales}


def _erase(customer: Customer) -> None:
    """Name and street go; city, postal code and coordinates stay: commission entries are explained by them."""
    Order.objects.filter(customer=customer).update(delivery_name="", delivery_line1="", delivery_line2="")
    Sale.objects.filter(customer=customer).update(loyalty_number="")


def register() -> None:
    """Called from OrdersConfig.ready."""
    register_handler(PersonalDataHandler("orders", _export, _erase))
