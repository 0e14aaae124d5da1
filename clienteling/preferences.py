"""A customer's sizes and preferences in the reader's words.

Customer.sizes and Customer.preferences are free JSON written by the e-commerce site, the admin and the demo
(demo/generate.py): keys such as "top", "bottom", "shoes", "colours", "categories" and "contact"; values that
are strings, numbers, lists of strings, or codes (category codes, contact channels). The profile shows each key
as a translated label and each value in words: known codes and words get their label, lists are joined as the
language joins them ("verde salvia e terracotta"), and a key nobody labelled yet is shown humanised
("preferred_fit" → "Preferred fit") rather than hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.lists import format_list
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omniportal.money import babel_locale, format_number

from .models import Customer

# Labels in the order the profile lists them; keys not here follow, in the order of their labels.
SIZE_LABELS: dict[str, Promise] = {
    "top": gettext_lazy("Tops"),
    "bottom": gettext_lazy("Trousers and skirts"),
    "shoes": gettext_lazy("Shoes"),
    "shoe": gettext_lazy("Shoes"),
    "jacket": gettext_lazy("Jackets"),
    "shirt": gettext_lazy("Shirts"),
    "dress": gettext_lazy("Dresses"),
    "trousers": gettext_lazy("Trousers"),
    "gloves": gettext_lazy("Gloves"),
    "hat": gettext_lazy("Hats"),
    "ring": gettext_lazy("Rings"),
}
PREFERENCE_LABELS: dict[str, Promise] = {
    "colours": gettext_lazy("Colours"),
    "colors": gettext_lazy("Colours"),
    "colour": gettext_lazy("Colour"),
    "color": gettext_lazy("Colour"),
    "categories": gettext_lazy("Categories"),
    "category": gettext_lazy("Category"),
    "brands": gettext_lazy("Brands"),
    "materials": gettext_lazy("Materials"),
    "style": gettext_lazy("Style"),
    "fit": gettext_lazy("Fit"),
    "contact": gettext_lazy("Preferred contact"),
}
CONTACT_LABELS: dict[str, Promise | str] = {
    "whatsapp": "WhatsApp",
    "phone": gettext_lazy("Phone call"),
    "email": gettext_lazy("Email"),
    "sms": gettext_lazy("Text message"),
    "post": gettext_lazy("Post"),
    "none": gettext_lazy("No contact"),
}
# The colour words of the catalogue (demo/data.py COLOURS), so an English reader is not left with Italian ones.
COLOUR_LABELS: dict[str, Promise] = {
    "blu notte": gettext_lazy("midnight blue"),
    "nero": gettext_lazy("black"),
    "bianco ottico": gettext_lazy("optical white"),
    "cammello": gettext_lazy("camel"),
    "grigio melange": gettext_lazy("grey melange"),
    "verde salvia": gettext_lazy("sage green"),
    "bordeaux": gettext_lazy("burgundy"),
    "écru": gettext_lazy("ecru"),
    "cipria": gettext_lazy("powder pink"),
    "terracotta": gettext_lazy("terracotta"),
    "tabacco": gettext_lazy("tobacco"),
    "azzurro": gettext_lazy("light blue"),
    "sabbia": gettext_lazy("sand"),
    "antracite": gettext_lazy("anthracite"),
}
_COLOUR_KEYS = frozenset({"colours", "colors", "colour", "color"})
_CATEGORY_KEYS = frozenset({"categories", "category"})
_CONTACT_KEYS = frozenset({"contact"})
# Nested values deeper than this are shown as text: the profile is not a JSON viewer.
_MAX_DEPTH = 3


@dataclass(frozen=True)
class PreferenceRow:
    """One line of the "Sizes and preferences" card: what it is about, and the value in words."""

    key: str
    label: str
    value: str


def humanised(key: str) -> str:
    """A key nobody gave a label yet, readable: "preferred_fit" → "Preferred fit"."""
    return capfirst(" ".join(key.replace("_", " ").replace("-", " ").split())) or "—"


def category_codes(customer: Customer) -> list[str]:
    """The category codes the customer's preferences name: the profile looks up their names in one query."""
    preferences = customer.preferences if isinstance(customer.preferences, dict) else {}
    codes: list[str] = []
    for key in _CATEGORY_KEYS:
        value = preferences.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                codes.append(item.strip())
    return sorted(set(codes))


def _joined(words: Iterable[str]) -> str:
    words = [word for word in words if word]
    return format_list(words, locale=babel_locale()) if words else ""


def _scalar(value: object, word: Callable[[str], str]) -> str:
    if isinstance(value, bool):  # before int: True is an int
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        decimals = 0 if value == int(value) else 1
        return format_number(value, decimals)
    text = str(value).strip()
    return word(text) if text else ""


def _in_words(value: object, word: Callable[[str], str], depth: int = 0) -> str:
    """Any JSON value as words: lists joined, objects as "label: value" pairs, known words labelled."""
    if value is None:
        return ""
    if depth >= _MAX_DEPTH:
        return str(value)
    if isinstance(value, list | tuple):
        return _joined(_in_words(item, word, depth + 1) for item in value)
    if isinstance(value, dict):
        parts = []
        for key, inner in value.items():
            shown = _in_words(inner, word, depth + 1)
            if shown:
                parts.append(f"{humanised(str(key))}: {shown}")
        return "; ".join(parts)
    return _scalar(value, word)


def _word_for(key: str, category_names: Mapping[str, str]) -> Callable[[str], str]:
    """How a single word of this key's value reads: a colour, a category code or a contact channel gets its label."""
    if key in _COLOUR_KEYS:
        return lambda text: str(COLOUR_LABELS.get(text.casefold(), text))
    if key in _CATEGORY_KEYS:
        return lambda text: category_names.get(text, text)
    if key in _CONTACT_KEYS:
        return lambda text: str(CONTACT_LABELS.get(text.casefold(), text))
    return lambda text: text


def _rows(data: object, labels: Mapping[str, Promise], category_names: Mapping[str, str], whole: str) -> list:
    if not isinstance(data, dict):
        # Not the object the portal expects (an old import, a hand edit): shown as one line rather than lost.
        value = _in_words(data, lambda text: text)
        return [PreferenceRow(key="", label=whole, value=value)] if value else []
    order = {key: position for position, key in enumerate(labels)}
    rows = []
    for key, value in data.items():
        shown = _in_words(value, _word_for(key, category_names))
        if shown:
            rows.append(PreferenceRow(key=key, label=str(labels.get(key) or humanised(key)), value=shown))
    return sorted(rows, key=lambda row: (order.get(row.key, len(order)), row.label.casefold(), row.key))


def size_rows(customer: Customer) -> list[PreferenceRow]:
    return _rows(customer.sizes, SIZE_LABELS, {}, _("Sizes"))


def preference_rows(customer: Customer, category_names: Mapping[str, str]) -> list[PreferenceRow]:
    """The preferences in words; `category_names` maps the codes of `category_codes(customer)` to their names."""
    return _rows(customer.preferences, PREFERENCE_LABELS, category_names, _("Preferences"))
