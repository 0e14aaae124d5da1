"""`{% load customers %}`: a customer's initials avatar (the same on search, Today and the profile) and phone."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from clienteling.models import Customer

register = template.Library()

# Avatars take one of a few tones (static/css/portal.css) by id, so neighbours in a list differ and a
# customer looks the same on every page.
AVATAR_TONES = 6


@register.simple_tag
def avatar(customer: Customer, size: str = "") -> SafeString:
    """`{% avatar customer %}`, `{% avatar customer "large" %}` or `"small"`: decorative, the name is always beside
    it."""
    classes = f"initials avatar-tone-{(customer.pk or 0) % AVATAR_TONES}"
    if size in ("large", "small"):
        classes += f" initials-{size}"
    return format_html('<span class="{}" aria-hidden="true">{}</span>', classes, customer.initials)


@register.filter
def phone(number: str) -> str:
    """A stored E.164 number as people read and dial it: "+393471112233" → "+39 347 111 2233" (as stored when it
    cannot be read as a number)."""
    if not number:
        return ""
    return _grouped_phone(number)


# libphonenumber is slow per number (a page of search results pays for twenty; docs/performance.md), and
# as-you-type searches show the same customers keystroke after keystroke: each process keeps the last few thousand.
@lru_cache(maxsize=4096)
def _grouped_phone(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
