"""`{% load order_dates %}`: a delivery estimate (orders.estimates) as the reader writes a range of days."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format

from ..estimates import DeliveryEstimate

register = template.Library()

# Day first in both languages, with the weekday: people plan deliveries by the day of the week.
FORMATS = {"short": "D j M", "long": "l j F"}


@register.filter
def date_range(estimate: DeliveryEstimate | None, style: str = "short") -> str:
    """`{{ estimate|date_range }}` → "Thu 3 Dec – Fri 4 Dec" ("gio 3 Dic – ven 4 Dic"); one day when they are
    the same; "" without an estimate."""
    if estimate is None:
        return ""
    shape = FORMATS.get(style, FORMATS["short"])
    earliest = date_format(estimate.earliest, shape)
    if estimate.is_one_day:
        return earliest
    return f"{earliest} – {date_format(estimate.latest, shape)}"
