"""Shared builders for the commission tests: orders placed the way the order services will place them."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
from decimal import Decimal

from django.utils import timezone

from inventory.factories import CategoryFactory, ProductFactory
from omniportal.celery import app
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import CommissionEntry, CommissionPolicy, EntryKind, OrderStatusChange

ROME = dt.timezone(dt.timedelta(hours=1))


def default_policy() -> CommissionPolicy:
    """The policy the data migration creates (transactional tests flush it, so make sure it exists)."""
    policy = CommissionPolicy.objects.filter(effective_from=dt.date(2000, 1, 1)).first()
    return policy or CommissionPolicy.objects.create(
        name="Default", effective_from=dt.date(2000, 1, 1), default_rate=Decimal("0.05"), assisted_share=Decimal("0.5")
    )


def order_with_lines(*lines: tuple[int, str, str], category=None, **fields):
    """An order with lines given as (quantity, unit_price, discount)."""
    order = OrderFactory(**fields)
    for quantity, unit_price, discount in lines:
        product = ProductFactory(category=category or CategoryFactory(code="general"))
        OrderLineFactory(
            order=order, product=product, quantity=quantity, unit_price=Decimal(unit_price), discount=Decimal(discount)
        )
    return order


def change(order, to_status: str, *, lines=None, occurred_at=None) -> OrderStatusChange:
    return OrderStatusChange.objects.create(
        order=order,
        from_status=order.status,
        to_status=to_status,
        occurred_at=occurred_at or timezone.now(),
        lines=lines or [],
    )


def credits_of(order) -> dict[str, Decimal]:
    return dict(CommissionEntry.objects.filter(order=order, kind=EntryKind.CREDIT).values_list("store__code", "amount"))


def net_of(order) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for code, amount in CommissionEntry.objects.filter(order=order).values_list("store__code", "amount"):
        totals[code] = totals.get(code, Decimal("0")) + amount
    return totals


@contextlib.contextmanager
def unreachable_broker():
    """Point this process's Celery producer at a closed loopback port (a broker that is down), then restore."""
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = (app.conf.broker_url, app.conf.task_always_eager)

    def reset_producers() -> None:
        # Drop the references only: kombu's pools are global per broker URL, closing them breaks later tests.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    reset_producers()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_producers()
