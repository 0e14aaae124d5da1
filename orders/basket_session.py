"""Which customer's endless-aisle basket this tablet is filling: the checkout page remembers them in the session,
so that "add to basket" on any product page fills that customer's basket."""

from __future__ import annotations

from django.http import HttpRequest

from clienteling.models import Customer

SESSION_KEY = "orders_basket_customer"


def remember(request: HttpRequest, customer: Customer) -> None:
    request.session[SESSION_KEY] = customer.pk


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def basket_customer(request: HttpRequest) -> Customer | None:
    """The customer whose basket is open on this tablet (name only), or None."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Customer.objects.filter(pk=pk, erased_at__isnull=True).only("pk", "first_name", "last_name").first()
