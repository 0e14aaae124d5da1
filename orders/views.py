from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clienteling.models import Customer
from omniportal.access import is_head_office, staff_required, user_stores

from .models import Basket, BasketStatus, Order
from .services import OrderError, basket_start_from_cart


def _order_for_user(request: HttpRequest, number: str) -> Order:
    """The order if it belongs to one of the user's stores (selling or pickup), else 404."""
    orders = Order.objects.select_related("customer", "selling_store", "pickup_store")
    if not is_head_office(request.user):
        stores = user_stores(request.user).values("pk")
        orders = orders.filter(Q(selling_store__in=stores) | Q(pickup_store__in=stores))
    return get_object_or_404(orders, number=number)


def _customer_or_404(pk: object) -> Customer:
    try:
        pk = int(pk)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Http404("No such customer.") from None
    return get_object_or_404(Customer, pk=pk, erased_at__isnull=True)


def _store_or_404(request: HttpRequest):
    store = request.store
    if not store:
        raise Http404("This person works for no store.")
    return store


def _order_new_url(customer: Customer) -> str:
    return f"{reverse('order-new')}?customer={customer.pk}"


@require_POST
@staff_required
def basket_from_cart(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    store = _store_or_404(request)
    try:
        basket_start_from_cart(customer=customer, store=store, actor=request.user)
    except OrderError as exc:
        messages.error(request, str(exc))
        return redirect("customer-detail", pk=customer.pk)
    return redirect(_order_new_url(customer))


@staff_required
def order_new(request: HttpRequest) -> HttpResponse:
    customer = _customer_or_404(request.GET.get("customer"))
    store = _store_or_404(request)
    basket = (
        Basket.objects.filter(customer=customer, store=store, status=BasketStatus.OPEN)
        .prefetch_related("lines__product", "lines__source")
        .order_by("-pk")
        .first()
    )
    return render(request, "orders/order_new.html", {"customer": customer, "basket": basket})


@staff_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_for_user(request, number)
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, "lines": order.lines.select_related("product", "source"), "history": order.history.all()},
    )
