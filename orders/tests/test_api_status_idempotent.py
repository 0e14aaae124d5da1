"""A retried status move (a WMS resending "shipped") answers 200 with the order as it is and writes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core import mail

from clienteling.factories import CustomerFactory
from clienteling.models import FollowUpTask
from inventory.factories import StockLevelFactory
from inventory.models import MovementKind, StockMovement
from orders import commission_hooks
from orders.models import DeliveryMethod, OrderStatus, OrderStatusChange
from orders.services.errors import AlreadyInStatus, IllegalTransition
from orders.services.lifecycle import order_transition
from orders.services.placing import PlacedLine, order_place

pytestmark = pytest.mark.django_db
S = OrderStatus
AT = "2026-11-24T09:00:00+01:00"


@pytest.fixture
def status_changes_seen(monkeypatch):
    """Every status change handed to the commission ledger (reversals are enqueued from there)."""
    seen = []
    original = commission_hooks.order_status_changed

    def record(change):
        seen.append(change.to_status)
        original(change)

    monkeypatch.setattr(commission_hooks, "order_status_changed", record)
    return seen


def _order(warehouse, *, method=DeliveryMethod.HOME, quantity=2, pickup_store=None):
    stock = StockLevelFactory(location=warehouse, on_hand=5)
    order = order_place(
        channel="web",
        external_id=f"WEB-{stock.product.sku}",
        customer=CustomerFactory(email="c@example.com"),
        lines=[PlacedLine(stock.product, stock.product.sku, quantity, Decimal("10"), source=warehouse)],
        delivery_method=method,
        pickup_store=pickup_store,
        currency="EUR",
    )
    return order, stock


def _move(api_client, order, status, **body):
    return api_client.post(
        f"/api/v1/orders/{order.external_id}/status/",
        json.dumps({"status": status, "occurred_at": AT, **body}),
        content_type="application/json",
    )


def _history(order, status):
    return OrderStatusChange.objects.filter(order=order, to_status=status).count()


def test_repeated_shipped_is_200_and_ships_once(api_client, warehouse_bologna, status_changes_seen):
    order, stock = _order(warehouse_bologna)
    first = _move(api_client, order, "shipped", tracking={"carrier": "BRT", "number": "1"})
    again = _move(api_client, order, "shipped", tracking={"carrier": "GLS", "number": "2"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()  # the order as it is: the retry's tracking is not applied
    assert _history(order, S.SHIPPED) == 1
    assert StockMovement.objects.filter(reference=order.number, kind=MovementKind.SHIP).count() == 1
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert status_changes_seen == [S.SHIPPED]


def test_repeated_cancel_releases_once_and_reverses_nothing_twice(api_client, warehouse_bologna, status_changes_seen):
    order, _stock = _order(warehouse_bologna)
    assert _move(api_client, order, "cancelled").status_code == 200
    assert _move(api_client, order, "cancelled").status_code == 200
    assert _history(order, S.CANCELLED) == 1
    assert StockMovement.objects.filter(reference=order.number, kind=MovementKind.RELEASE).count() == 1
    assert status_changes_seen == [S.CANCELLED]


def test_repeated_delivered_creates_one_aftersales_task(api_client, warehouse_bologna, store_milano):
    order, _stock = _order(warehouse_bologna)
    order.selling_store = store_milano
    order.save(update_fields=["selling_store"])
    _move(api_client, order, "shipped")
    assert _move(api_client, order, "delivered").status_code == 200
    assert _move(api_client, order, "delivered").status_code == 200
    assert _history(order, S.DELIVERED) == 1
    assert FollowUpTask.objects.count() == 1


def test_repeated_ready_emails_the_customer_once(
    api_client, warehouse_bologna, store_milano, django_capture_on_commit_callbacks
):
    order, _stock = _order(warehouse_bologna, method=DeliveryMethod.PICKUP, pickup_store=store_milano)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _move(api_client, order, "ready").status_code == 200
        assert _move(api_client, order, "ready").status_code == 200
    assert len(mail.outbox) == 1
    assert _history(order, S.READY) == 1


def test_repeated_full_return_is_200_and_returns_once(api_client, warehouse_bologna, status_changes_seen):
    order, stock = _order(warehouse_bologna)
    sku = order.lines.get().sku
    _move(api_client, order, "shipped")
    _move(api_client, order, "delivered")
    assert _move(api_client, order, "returned").json()["status"] == S.RETURNED
    assert _move(api_client, order, "returned").status_code == 200
    named = _move(api_client, order, "returned", lines=[{"sku": sku, "quantity": 2}])
    assert (named.status_code, named.json()["lines"][0]["returned_quantity"]) == (200, 2)
    assert _history(order, S.RETURNED) == 1
    assert StockMovement.objects.filter(reference=order.number, kind=MovementKind.RETURN).count() == 1
    stock.refresh_from_db()
    assert stock.on_hand == 5
    assert status_changes_seen.count(S.RETURNED) == 1


def test_a_return_naming_units_never_sold_is_still_409_when_all_is_back(api_client, warehouse_bologna):
    order, _stock = _order(warehouse_bologna)
    sku = order.lines.get().sku
    for status in ("shipped", "delivered", "returned"):
        _move(api_client, order, status)
    assert _move(api_client, order, "returned", lines=[{"sku": sku, "quantity": 3}]).status_code == 409
    assert _move(api_client, order, "returned", lines=[{"sku": "NOT-SOLD", "quantity": 1}]).status_code == 409
    assert _history(order, S.RETURNED) == 1


def test_an_illegal_move_is_still_409(api_client, warehouse_bologna):
    order, _stock = _order(warehouse_bologna)
    assert _move(api_client, order, "delivered").status_code == 409
    _move(api_client, order, "shipped")
    refused = _move(api_client, order, "cancelled")
    assert refused.status_code == 409
    assert "cannot become cancelled" in refused.json()["errors"][0]["message"]
    order.refresh_from_db()
    assert order.status == S.SHIPPED


def test_the_service_names_a_repeat_and_writes_nothing(warehouse_bologna):
    """Pages and the admin get the same rule: AlreadyInStatus is a refusal (an IllegalTransition) that says so."""
    order, _stock = _order(warehouse_bologna)
    order_transition(order=order, to_status=S.SHIPPED)
    with pytest.raises(AlreadyInStatus, match="already shipped") as repeat:
        order_transition(order=order, to_status=S.SHIPPED, tracking={"number": "late"})
    assert isinstance(repeat.value, IllegalTransition)
    order.refresh_from_db()
    assert (order.tracking_number, _history(order, S.SHIPPED)) == ("", 1)


def test_a_partial_return_retried_with_its_reference_is_applied_once(
    api_client, warehouse_bologna, status_changes_seen
):
    order, stock = _order(warehouse_bologna, quantity=3)
    sku = order.lines.get().sku
    _move(api_client, order, "shipped")
    _move(api_client, order, "delivered")
    one = [{"sku": sku, "quantity": 1}]
    first = _move(api_client, order, "returned", lines=one, reference="RMA-1")
    retry = _move(api_client, order, "returned", lines=one, reference="RMA-1")
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json()["lines"][0]["returned_quantity"] == 1 and retry.json()["status"] == S.PARTIALLY_RETURNED
    second = _move(api_client, order, "returned", lines=one, reference="RMA-2")  # a second parcel coming back
    assert second.json()["lines"][0]["returned_quantity"] == 2
    stock.refresh_from_db()
    assert stock.on_hand == 5 - 3 + 2
    assert status_changes_seen.count(S.PARTIALLY_RETURNED) == 2
    assert list(order.history.exclude(reference="").values_list("reference", flat=True)) == ["RMA-1", "RMA-2"]


@pytest.mark.parametrize("reference", ["x" * 101, 42, ["RMA-1"]])
def test_a_malformed_reference_is_400_and_moves_nothing(api_client, warehouse_bologna, reference):
    order, _stock = _order(warehouse_bologna)
    assert _move(api_client, order, "shipped", reference=reference).status_code == 400
    order.refresh_from_db()
    assert order.status == S.PLACED
