from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from clienteling.factories import CustomerFactory
from clienteling.models import FollowUpTask
from inventory.factories import StockLevelFactory
from inventory.models import MovementKind, StockMovement
from orders.factories import OrderFactory, OrderLineFactory
from orders.models import DeliveryMethod, OrderStatus
from orders.services.errors import IllegalTransition
from orders.services.lifecycle import order_transition, pickups_expire
from orders.services.placing import PlacedLine, order_place
from orders.tasks_pickups import expire_pickups
from orders.transitions import HOME_MOVES, PICKUP_MOVES

pytestmark = pytest.mark.django_db
S = OrderStatus


def _placed(store, *, method=DeliveryMethod.HOME, quantity=2, on_hand=5, selling_store=None):
    stock = StockLevelFactory(location=store, on_hand=on_hand)
    order = order_place(
        channel="endless_aisle",
        customer=CustomerFactory(email="c@example.com"),
        lines=[PlacedLine(stock.product, stock.product.sku, quantity, Decimal("10"), source=store)],
        delivery_method=method,
        pickup_store=store if method == DeliveryMethod.PICKUP else None,
        selling_store=selling_store or store,
        currency="EUR",
    )
    return order, stock


def _walk(order, *statuses):
    for status in statuses:
        order_transition(order=order, to_status=status)
    order.refresh_from_db()
    return order


def test_ship_turns_the_reservation_into_an_on_hand_decrement(store_milano, associate_milano):
    order, stock = _placed(store_milano)
    order_transition(
        order=order,
        to_status=S.SHIPPED,
        actor=associate_milano,
        tracking={"carrier": "BRT", "number": "X1", "url": "https://brt.example/X1"},
    )
    stock.refresh_from_db()
    order.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert (order.status, order.carrier, order.tracking_number) == (S.SHIPPED, "BRT", "X1")
    assert order.history.last().actor == associate_milano


def test_cancel_releases_the_reservation(store_milano):
    order, stock = _placed(store_milano)
    _walk(order, S.CANCELLED)
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (5, 0)
    assert StockMovement.objects.filter(kind=MovementKind.RELEASE).count() == 1


def test_delivered_creates_one_aftersales_task_for_the_selling_store(store_milano, store_roma):
    order, _stock = _placed(store_roma, selling_store=store_milano)
    _walk(order, S.SHIPPED, S.DELIVERED)
    task = FollowUpTask.objects.get()
    assert (task.store, task.reference, task.customer) == (store_milano, f"aftersales:{order.number}", order.customer)


def test_delivered_creates_no_aftersales_task_without_clienteling_consent(store_milano, store_roma):
    order, _stock = _placed(store_roma, selling_store=store_milano)
    order.customer.consent_clienteling = False
    order.customer.save()
    _walk(order, S.SHIPPED, S.DELIVERED)
    order.refresh_from_db()
    assert order.status == S.DELIVERED and not FollowUpTask.objects.exists()


def test_partial_returns_until_everything_is_back(store_milano):
    order, stock = _placed(store_milano, quantity=3)
    _walk(order, S.SHIPPED, S.DELIVERED)
    sku = order.lines.get().sku
    change = order_transition(order=order, to_status=S.RETURNED, lines=[{"sku": sku, "quantity": 1}])
    order.refresh_from_db()
    assert (order.status, change.to_status, change.lines) == (
        S.PARTIALLY_RETURNED,
        S.PARTIALLY_RETURNED,
        [{"sku": sku, "quantity": 1}],
    )
    order_transition(order=order, to_status=S.RETURNED, lines=[{"sku": sku, "quantity": 2}])
    order.refresh_from_db()
    stock.refresh_from_db()
    assert order.status == S.RETURNED
    assert order.lines.get().returned_quantity == 3
    assert stock.on_hand == 5  # 5 − 3 shipped + 3 returned


def test_returning_more_than_was_sold_is_refused(store_milano):
    order, _stock = _placed(store_milano, quantity=1)
    _walk(order, S.SHIPPED, S.DELIVERED)
    with pytest.raises(IllegalTransition):
        order_transition(order=order, to_status=S.RETURNED, lines=[{"sku": order.lines.get().sku, "quantity": 2}])
    with pytest.raises(IllegalTransition):
        order_transition(order=order, to_status=S.RETURNED, lines=[{"sku": "NOT-IN-ORDER", "quantity": 1}])
    order.refresh_from_db()
    assert order.status == S.DELIVERED


def test_pickup_ready_notifies_then_collected_ships(store_milano, django_capture_on_commit_callbacks):
    order, stock = _placed(store_milano, method=DeliveryMethod.PICKUP)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to_status=S.READY)
    assert "ready for pickup" in mail.outbox[-1].subject
    _walk(order, S.COLLECTED)
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert FollowUpTask.objects.get().store == store_milano


def test_uncollected_pickups_go_back_to_stock_after_the_hold_days(store_milano, settings):
    settings.PICKUP_HOLD_DAYS = 7
    order, stock = _placed(store_milano, method=DeliveryMethod.PICKUP)
    now = timezone.now()
    order_transition(order=order, to_status=S.READY, occurred_at=now - dt.timedelta(days=8))
    fresh, _ = _placed(store_milano, method=DeliveryMethod.PICKUP)
    order_transition(order=fresh, to_status=S.READY, occurred_at=now - dt.timedelta(days=1))
    assert pickups_expire(now=now) == 1
    assert pickups_expire(now=now) == 0  # runs twice, effect once
    order.refresh_from_db()
    fresh.refresh_from_db()
    stock.refresh_from_db()
    assert (order.status, fresh.status) == (S.NOT_COLLECTED, S.READY)
    assert stock.reserved == 0


def test_expiry_task_runs_the_service(store_milano, settings):
    settings.PICKUP_HOLD_DAYS = 0
    order, _stock = _placed(store_milano, method=DeliveryMethod.PICKUP)
    order_transition(order=order, to_status=S.READY, occurred_at=timezone.now() - dt.timedelta(hours=1))
    assert expire_pickups.delay().get() == 1
    order.refresh_from_db()
    assert order.status == S.NOT_COLLECTED


ALL = [s for s, _label in OrderStatus.choices]
HOME_LEGAL = [(a, b) for a, targets in HOME_MOVES.items() for b in sorted(targets)]
PICKUP_LEGAL = [(a, b) for a, targets in PICKUP_MOVES.items() for b in sorted(targets)]


def test_the_state_machine_is_the_specified_one():
    assert {
        S.PLACED: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.DELIVERED},
        S.DELIVERED: {S.RETURNED},
        S.PARTIALLY_RETURNED: {S.RETURNED},
    } == HOME_MOVES
    assert {
        S.PLACED: {S.READY, S.CANCELLED},
        S.READY: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
        S.COLLECTED: {S.RETURNED},
        S.PARTIALLY_RETURNED: {S.RETURNED},
    } == PICKUP_MOVES


@pytest.mark.parametrize("method,moves", [(DeliveryMethod.HOME, HOME_MOVES), (DeliveryMethod.PICKUP, PICKUP_MOVES)])
@pytest.mark.parametrize("current", ALL)
def test_every_move_is_legal_or_refused_as_the_table_says(store_milano, method, moves, current):
    order = OrderFactory(
        status=current,
        delivery_method=method,
        pickup_store=store_milano if method == DeliveryMethod.PICKUP else None,
        selling_store=store_milano,
    )
    OrderLineFactory(order=order, quantity=1)
    for target in ALL:
        legal = target in moves.get(current, set())
        try:
            with transaction.atomic():
                order_transition(order=order, to_status=target)
                raise _Undo
        except _Undo:
            assert legal, f"{method}: {current} → {target} should be refused"
        except IllegalTransition:
            assert not legal, f"{method}: {current} → {target} should be allowed"
        order.refresh_from_db()
        assert order.status == current


class _Undo(Exception):
    pass
