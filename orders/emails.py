"""Customer emails about an order: confirmation with the tracking link, and "ready for pickup"."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Order
from .parcels import order_parcels, parcels_estimate
from .totals import order_totals

EMAIL_KINDS = {"confirmation", "ready"}
# How long "this email was sent" is remembered: far longer than any redelivery of the task.
SENT_MEMORY_SECONDS = 30 * 24 * 3600


def tracking_url(order: Order) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("track", args=[order.tracking_token])
    return f"{base}{path}"


def _context(order: Order) -> dict[str, object]:
    """What an email about `order` shows: its lines and totals (the order page's figures), when it should arrive
    (the order page's estimate, from the day it was placed) and the tracking link."""
    lines = list(order.lines.select_related("product", "source").order_by("pk"))
    totals = order_totals(order, lines)
    history = list(order.history.order_by("occurred_at", "pk"))
    parcels = order_parcels(order=order, lines=lines, history=history, ship_from=set())
    return {
        "order": order,
        "lines": lines,
        "rows": [(line, totals.lines[line.pk]) for line in lines],
        "totals": totals,
        "expected": parcels_estimate(parcels),
        "tracking_url": tracking_url(order),
        "brand_name": settings.BRAND_NAME,
        "hold_days": settings.PICKUP_HOLD_DAYS,
    }


def order_email_send(*, order_id: int, kind: str) -> bool:
    """Send one email about an order, at most once per order and kind; False when there is nothing to send."""
    if kind not in EMAIL_KINDS:
        return False
    order = Order.objects.select_related("customer", "pickup_store").filter(pk=order_id).first()
    if order is None or order.customer is None or not order.customer.email or order.customer.erased_at:
        return False
    # The tracking token, not the pk: unique for ever, even where ids are reused (SQLite after a rollback).
    sent_key = f"orders:email:{order.tracking_token}:{kind}"
    # cache.add is atomic: a redelivered task (or a second worker) finds the key and sends nothing.
    if not cache.add(sent_key, 1, SENT_MEMORY_SECONDS):
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            context = _context(order)
            subject = render_to_string(f"orders/email/{kind}_subject.txt", context).strip()
            body = render_to_string(f"orders/email/{kind}.txt", context)
            html = render_to_string(f"orders/email/{kind}.html", context)
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [order.customer.email])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        cache.delete(sent_key)  # not sent: let the retry try again
        raise
    return True
