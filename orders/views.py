from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from omniportal.access import is_head_office, staff_required, user_stores

from .models import Order


def _order_for_user(request: HttpRequest, number: str) -> Order:
    """The order if it belongs to one of the user's stores (selling or pickup), else 404."""
    orders = Order.objects.select_related("customer", "selling_store", "pickup_store")
    if not is_head_office(request.user):
        stores = user_stores(request.user).values("pk")
        orders = orders.filter(Q(selling_store__in=stores) | Q(pickup_store__in=stores))
    return get_object_or_404(orders, number=number)


@staff_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_for_user(request, number)
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, "lines": order.lines.select_related("product", "source"), "history": order.history.all()},
    )
