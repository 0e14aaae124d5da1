"""Where an order may go next: the order's state machine, one table per way of delivery.

`returned` covers partial returns too (the order is `partially_returned` until every unit is back). Services
move orders only along these edges; pages and the API offer only these moves.
"""

from __future__ import annotations

from .models import DeliveryMethod, Order, OrderStatus

S = OrderStatus
HOME_MOVES: dict[str, set[str]] = {
    S.PLACED: {S.SHIPPED, S.CANCELLED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: {S.RETURNED},
    S.PARTIALLY_RETURNED: {S.RETURNED},
}
PICKUP_MOVES: dict[str, set[str]] = {
    S.PLACED: {S.READY, S.CANCELLED},
    S.READY: {S.COLLECTED, S.NOT_COLLECTED, S.CANCELLED},
    S.COLLECTED: {S.RETURNED},
    S.PARTIALLY_RETURNED: {S.RETURNED},
}


def allowed_moves(order: Order) -> set[str]:
    """Statuses `order` may move to next (`returned` covers partial returns too)."""
    moves = PICKUP_MOVES if order.delivery_method == DeliveryMethod.PICKUP else HOME_MOVES
    return set(moves.get(order.status, set()))
