"""The seam between orders and the commission ledger.

Order services call these inside the transaction that wrote the order or the status change. The crediting
work is enqueued only after that transaction commits (a worker must see the order), and a failure to
enqueue — Redis down, a network blip — is logged, never raised: the order is already saved and the
periodic sweep credits it later.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction

from .commissions.ledger import REVERSAL_STATUSES
from .tasks_commissions import credit_order, reverse_change

if TYPE_CHECKING:
    from celery import Task

    from .models import Order, OrderStatusChange

logger = logging.getLogger(__name__)

# Fail fast when the broker is unreachable: the associate is waiting and the sweep is the safety net.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _send(task: Task, object_id: int, what: str) -> None:
    try:
        task.apply_async(args=[object_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        logger.exception("could not enqueue %s for %s; the commission sweep will pick it up", task.name, what)


def _enqueue_after_commit(task: Task, object_id: int, what: str) -> None:
    transaction.on_commit(lambda: _send(task, object_id, what))


def order_created(order: Order) -> None:
    """Called inside the transaction that created `order`."""
    _enqueue_after_commit(credit_order, order.pk, f"order {order.number}")


def order_status_changed(change: OrderStatusChange) -> None:
    """Called inside the transaction that recorded `change` (cancellations and returns are reversed)."""
    if change.to_status in REVERSAL_STATUSES:
        _enqueue_after_commit(reverse_change, change.pk, f"status change {change.pk}")


def order_located(order: Order) -> None:
    """Called when head office sets the delivery location of an unlocated order by hand."""
    _enqueue_after_commit(credit_order, order.pk, f"order {order.number}")
