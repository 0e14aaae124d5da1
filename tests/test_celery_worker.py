"""The foundation check: a real task goes through Redis to a real worker process and changes the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders import commission_hooks
from orders.models import CommissionEntry
from orders.tests.commission_support import default_policy, order_with_lines
from tests.worker import real_broker, real_worker, wait_until  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_credits_an_order_through_redis(real_worker, store_milano):  # noqa: F811
    default_policy()
    order = order_with_lines((2, "50.00", "0"), delivery_lat=45.466, delivery_lon=9.186)
    commission_hooks.order_created(order)  # autocommit: enqueued at once, to Redis

    wait_until(lambda: CommissionEntry.objects.filter(order=order).exists(), message="the worker's credit")
    entry = CommissionEntry.objects.get(order=order)
    assert (entry.store_id, entry.amount) == (store_milano.pk, Decimal("5.00"))
    assert "orders.tasks_commissions.credit_order" in real_worker.output()
