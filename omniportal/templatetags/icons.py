"""`{% icon "house" %}`: a Lucide icon from our own sprite (static/vendor/lucide/icons.svg), decorative.
`{% thumb url %}` / `{% thumb url small=True %}`: a product's picture, or a neutral placeholder.

Both are drawn in Python: a page lists dozens of them, and an {% include %} per picture cost more than the rest of
the row (docs/performance.md).
"""

from __future__ import annotations

from functools import cache

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from omniportal.images import displayable_image

register = template.Library()


@cache
def _sprite() -> str:
    # The sprite's address (hashed by the manifest storage in production) does not change while a process runs.
    return static("vendor/lucide/icons.svg")


@register.simple_tag
def icon(name: str, css_class: str = "icon") -> SafeString:
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        css_class,
        _sprite(),
        name,
    )


@register.simple_tag
def thumb(src: str | None, small: bool = False) -> SafeString:
    """The picture when the page may load it (omniportal.images), else the placeholder: decorative either way,
    the product's name is always beside it."""
    size = 40 if small else 56
    classes = "thumb thumb-small" if small else "thumb"
    shown = displayable_image(src)
    if shown:
        return format_html(
            '<img class="{}" src="{}" alt="" width="{}" height="{}" decoding="async" data-testid="thumb">',
            classes,
            shown,
            size,
            size,
        )
    return format_html(
        '<span class="{} thumb-none" aria-hidden="true" data-testid="thumb-none">{}</span>', classes, icon("image")
    )
