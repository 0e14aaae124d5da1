"""`{% icon "house" %}`: a Lucide icon from our own sprite (static/vendor/lucide/icons.svg), decorative."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def icon(name: str, css_class: str = "icon") -> SafeString:
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        css_class,
        static("vendor/lucide/icons.svg"),
        name,
    )
