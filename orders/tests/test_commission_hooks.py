from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import transaction

from orders import commission_hooks
from orders.models import CommissionEntry, LocationSource, OrderStatus

from .commission_support import change, credits_of, default_policy, net_of, order_with_lines, unreachable_broker

pytestmark = pytest.mark.django_db
MILANO = {"delivery_lat": 45.466, "delivery_lon": 9.186}


@pytest.fixture(autouse=True)
def policy(db):
    return default_policy()


def test_a_new_order_is_credited_after_its_transaction_commits(store_milano, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        order = order_with_lines((1, "100.00", "0"), **MILANO)
        commission_hooks.order_created(order)
        assert not CommissionEntry.objects.filter(order=order).exists()  # nothing before the commit
    assert len(callbacks) == 1
    assert credits_of(order) == {"MI01": Decimal("5.00")}


def test_nothing_is_enqueued_when_the_order_transaction_rolls_back(store_milano, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                commission_hooks.order_created(order_with_lines((1, "100.00", "0"), **MILANO))
                raise RuntimeError("the order service failed")
        except RuntimeError:
            pass
    assert callbacks == []


def test_a_cancellation_enqueues_its_reversal(store_milano, django_capture_on_commit_callbacks):
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    with django_capture_on_commit_callbacks(execute=True):
        commission_hooks.order_created(order)
        commission_hooks.order_status_changed(change(order, OrderStatus.CANCELLED))
    assert net_of(order) == {"MI01": Decimal("0")}


def test_a_shipment_enqueues_nothing(store_milano, django_capture_on_commit_callbacks):
    order = order_with_lines((1, "100.00", "0"), **MILANO)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        commission_hooks.order_status_changed(change(order, OrderStatus.SHIPPED))
    assert callbacks == []


def test_an_order_located_by_head_office_is_credited(store_milano, django_capture_on_commit_callbacks):
    order = order_with_lines(
        (1, "100.00", "0"), delivery_lat=None, delivery_lon=None, location_source=LocationSource.UNLOCATED
    )
    with django_capture_on_commit_callbacks(execute=True):
        commission_hooks.order_created(order)
    assert credits_of(order) == {}  # held
    order.delivery_lat, order.delivery_lon, order.location_source = 45.466, 9.186, LocationSource.MANUAL
    order.save()
    with django_capture_on_commit_callbacks(execute=True):
        commission_hooks.order_located(order)
    assert credits_of(order) == {"MI01": Decimal("5.00")}
    assert CommissionEntry.objects.get(order=order).location_source == "manual"


def test_a_broker_outage_is_logged_not_raised_and_the_order_stays(
    store_milano, django_capture_on_commit_callbacks, caplog
):
    with (
        unreachable_broker(),
        caplog.at_level(logging.ERROR, logger="orders.commission_hooks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = order_with_lines((1, "100.00", "0"), **MILANO)
        commission_hooks.order_created(order)  # must not raise
    assert "could not enqueue orders.tasks_commissions.credit_order" in caplog.text
    assert order.pk is not None and credits_of(order) == {}
