"""`{{ product.image_url|displayable_image }}`: the address, or "" when the page may not load it (omniportal.images)."""

from __future__ import annotations

from django import template

from omniportal.images import displayable_image as _displayable_image

register = template.Library()


@register.filter
def displayable_image(url: str | None) -> str:
    return _displayable_image(url)
