"""Which customer's endless-aisle basket this tablet is filling: the checkout page remembers them in the session,
so that "add to basket" on any product page fills that customer's basket, and every page shows the basket."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from clienteling.models import Customer

from .models import BasketLine, BasketStatus

SESSION_KEY = "orders_basket_customer"


@dataclass(frozen=True)
class BasketInProgress:
    customer: Customer
    lines: int  # lines of the customer's open basket at this tablet's store


def remember(request: HttpRequest, customer: Customer) -> None:
    if request.session.get(SESSION_KEY) != customer.pk:  # unchanged, the session is not written again
        request.session[SESSION_KEY] = customer.pk


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def basket_in_progress(request: HttpRequest) -> BasketInProgress | None:
    """The basket open on this tablet (its customer's name and its line count, one query), or None."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    store = getattr(request, "store", None) or None
    # The open basket's lines only, through the basket's (customer, store, status) index: a customer may have
    # many baskets that were ordered or abandoned.
    lines = (
        BasketLine.objects.filter(
            basket__customer=OuterRef("pk"), basket__store=store, basket__status=BasketStatus.OPEN
        )
        .values("basket__customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    customer = (
        Customer.objects.filter(pk=pk, erased_at__isnull=True)
        .only("pk", "first_name", "last_name")
        .annotate(basket_lines=Coalesce(Subquery(lines), 0))
        .first()
    )
    return BasketInProgress(customer, customer.basket_lines) if customer is not None else None
