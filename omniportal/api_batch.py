"""Batch decoding and validation shared by the integration API and the CSV import.

msgspec decodes and validates a whole body in one pass (measured against DRF serializers in
docs/performance.md: it is the faster by an order of magnitude). When the fast pass fails, the body is
decoded untyped and each item validated on its own, so the client learns about every bad item at once,
in the one error shape `{"index", "field", "message"}`.

Domain checks that msgspec cannot express (ISO codes, money scale, phone numbers, references to
existing rows) run in the ingest services and raise `InvalidItems` with the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, TypeVar

import msgspec
import pycountry

T = TypeVar("T")

MAX_INT = 2_147_483_647  # PostgreSQL integer
Quantity = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]
PositiveQuantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Country = Annotated[str, msgspec.Meta(min_length=2, max_length=2)]
Currency = Annotated[str, msgspec.Meta(min_length=3, max_length=3)]
# Money travels as a decimal string ("189.00"): never a JSON number, never negative, at most 2 decimals.
Money = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$", description="Decimal string, e.g. '189.00'.")
]


def text(max_length: int, *, required: bool = True) -> Any:
    """A string that fits its database column (an over-long value is a 400, never a database error)."""
    return Annotated[str, msgspec.Meta(min_length=1 if required else 0, max_length=max_length)]


class InvalidItems(ValueError):
    """One or more items of a batch are invalid; `errors` holds `{"index", "field", "message"}` dicts."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} invalid item(s)")
        self.errors = errors


class MalformedBody(ValueError):
    """The body is not JSON (or not UTF-8)."""


class TooManyItems(ValueError):
    pass


def item_error(index: int | None, field: str | None, message: str) -> dict[str, Any]:
    return {"index": index, "field": field, "message": message}


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")


def _error_from_msgspec(exc: msgspec.ValidationError, index: int | None) -> dict[str, Any]:
    message = str(exc)
    path = ""
    found = _AT.search(message)
    if found:
        path = found.group("path")
        message = message[: found.start()]
    missing = _MISSING.match(message)
    if missing:
        path = f"{path}.{missing.group('name')}"
        message = "This field is required."
    field = path.lstrip(".") or None
    return item_error(index, field, message)


def decode_json(body: bytes) -> Any:
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise MalformedBody(f"Malformed JSON: {exc}") from exc


def validate_items(key: str, raw_items: Any, item_type: type[T], *, max_items: int, strict: bool = True) -> list[T]:
    """Validate decoded items one by one, collecting every error (index = position in the batch)."""
    if not isinstance(raw_items, list):
        raise InvalidItems([item_error(None, key, "Expected a list of objects.")])
    if len(raw_items) > max_items:
        raise TooManyItems(f"A batch holds at most {max_items} items; this one has {len(raw_items)}.")
    items: list[T] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_items):
        try:
            items.append(msgspec.convert(raw, item_type, strict=strict))
        except msgspec.ValidationError as exc:
            errors.append(_error_from_msgspec(exc, index))
    if errors:
        raise InvalidItems(errors)
    return items


@cache
def _batch_type(key: str, item_type: type) -> type:
    return msgspec.defstruct(f"{item_type.__name__}Batch", [(key, list[item_type])])


def decode_batch(body: bytes, key: str, item_type: type[T], *, max_items: int) -> list[T]:
    """`{"<key>": [item, ...]}` → validated items. Raises MalformedBody, TooManyItems or InvalidItems."""
    try:
        batch = msgspec.json.decode(body, type=_batch_type(key, item_type))
    except msgspec.ValidationError:
        pass  # fall through to the slow path, which reports every bad item
    except msgspec.DecodeError as exc:
        raise MalformedBody(f"Malformed JSON: {exc}") from exc
    else:
        items = getattr(batch, key)
        if len(items) > max_items:
            raise TooManyItems(f"A batch holds at most {max_items} items; this one has {len(items)}.")
        return items
    data = decode_json(body)
    if not isinstance(data, dict):
        raise InvalidItems([item_error(None, None, f'Expected a JSON object like {{"{key}": [...]}}.')])
    if key not in data:
        raise InvalidItems([item_error(None, key, "This field is required.")])
    return validate_items(key, data[key], item_type, max_items=max_items)


def decode_object(body: bytes, item_type: type[T]) -> T:
    """A single JSON object body (a cart snapshot). Raises MalformedBody or InvalidItems (index None)."""
    try:
        return msgspec.json.decode(body, type=item_type)
    except msgspec.ValidationError as exc:
        raise InvalidItems([_error_from_msgspec(exc, None)]) from exc
    except msgspec.DecodeError as exc:
        raise MalformedBody(f"Malformed JSON: {exc}") from exc


# -- domain checks msgspec cannot express -----------------------------------------------------------------


@cache
def currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@cache
def countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


MAX_MONEY = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)


class Checker:
    """Collects domain errors for a batch; `raise_if_any()` after the loop keeps the batch all-or-nothing."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, index: int | None, field: str | None, message: str) -> None:
        self.errors.append(item_error(index, field, message))

    def currency(self, index: int | None, field: str, value: str) -> None:
        if value not in currencies():
            self.add(index, field, f"'{value}' is not an ISO-4217 currency code (upper case, e.g. EUR).")

    def country(self, index: int | None, field: str, value: str) -> None:
        if value not in countries():
            self.add(index, field, f"'{value}' is not an ISO-3166 alpha-2 country code (upper case, e.g. IT).")

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidItems(sorted(self.errors, key=lambda e: (e["index"] is None, e["index"] or 0)))


def last_wins(items: Iterable[T], key) -> tuple[dict[Any, tuple[int, T]], int]:
    """Dedupe a batch by key, keeping the last occurrence; returns {key: (index, item)} and how many were dropped."""
    chosen: dict[Any, tuple[int, T]] = {}
    total = 0
    for index, item in enumerate(items):
        chosen[key(item)] = (index, item)
        total += 1
    return chosen, total - len(chosen)
