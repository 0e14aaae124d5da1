"""The seam between orders and the commission ledger.

Order services call these after writing an order or a status change; they enqueue
the crediting work after the transaction commits. The commissions issue owns the bodies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Order, OrderStatusChange


def order_created(order: Order) -> None:
    """Called inside the transaction that created `order`."""


def order_status_changed(change: OrderStatusChange) -> None:
    """Called inside the transaction that recorded `change` (cancellations and returns are reversed)."""


def order_located(order: Order) -> None:
    """Called when head office sets the delivery location of an unlocated order by hand."""
