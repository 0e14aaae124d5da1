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
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, TypedDict, TypeVar, get_args, get_origin, get_type_hints

import msgspec
import pycountry

T = TypeVar("T")


# The types below validate the API's bodies and, through msgspec's JSON Schema, document them. A constraint msgspec
# cannot check (a range on a timestamp, a code's shape) is still stated here, in `extra_json_schema`, and checked by
# `check_timestamps` or a `Checker`: one place says what is accepted, whichever pass enforces it. Membership of a
# code list is not spelled out: the schema gives the code's shape and names the list (docs/api.md).

MAX_INT = 2_147_483_647  # PostgreSQL integer
# Real offsets run from -12:00 to +14:00 (PostgreSQL refuses beyond ±15:59); business dates are this century.
MAX_OFFSET = timedelta(hours=14)
YEARS = range(2000, 2101)
TIMESTAMP_RANGE_MESSAGE = "Timestamp out of range: the offset must be within ±14:00 and the year within 2000–2100."
# YEARS and MAX_OFFSET as a pattern over RFC 3339 (seconds 00–59: msgspec refuses a leap second).
TIMESTAMP_PATTERN = (
    r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?([Zz]|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$"
)

Quantity = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]
PositiveQuantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Timestamp = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description="RFC 3339 with its offset (within ±14:00), years 2000–2100.",
        extra_json_schema={"pattern": TIMESTAMP_PATTERN},
    ),
]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Country = Annotated[
    str,
    msgspec.Meta(
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2 code, upper case (IT).",
        extra_json_schema={"pattern": "^[A-Z]{2}$"},
    ),
]
Currency = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=3,
        description="ISO 4217 code, upper case (EUR).",
        extra_json_schema={"pattern": "^[A-Z]{3}$"},
    ),
]
# Money travels as a decimal string ("189.00"): never a JSON number, never negative, at most 2 decimals.
Money = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$", description="Decimal string, e.g. '189.00'.")
]
# Django's validate_email decides (in the ingest); empty means "no email".
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        description="An email address, or empty.",
        extra_json_schema={"anyOf": [{"maxLength": 0}, {"format": "email"}]},
    ),
]
# lat and lon come together or not at all: the ingest refuses one without the other. For an optional
# Struct holding both (`Annotated[Address | None, Meta(extra_json_schema=COORDINATES_TOGETHER)]`); a null
# address passes, since `properties` says nothing about a non-object.
COORDINATES_TOGETHER = {
    "allOf": [
        {
            "anyOf": [
                {"properties": {"lat": {"type": "null"}, "lon": {"type": "null"}}},
                {"required": ["lat", "lon"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
            ]
        }
    ]
}


def text(max_length: int, *, required: bool = True, description: str | None = None) -> Any:
    """A string that fits its database column (an over-long value is a 400, never a database error)."""
    return Annotated[str, msgspec.Meta(min_length=1 if required else 0, max_length=max_length, description=description)]


class ErrorItem(TypedDict):
    index: Annotated[
        int | None, msgspec.Meta(description="Position of the bad item in the batch (null: the whole body).")
    ]
    field: Annotated[str | None, msgspec.Meta(description="Path of the bad field, e.g. `lines[0].quantity`.")]
    message: str


class InvalidItems(ValueError):
    """One or more items of a batch are invalid; `errors` holds `{"index", "field", "message"}` dicts."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__(f"{len(errors)} invalid item(s)")
        self.errors = errors


class MalformedBody(ValueError):
    """The body is not JSON (or not UTF-8)."""


class TooManyItems(ValueError):
    pass


def item_error(index: int | None, field: str | None, message: str) -> ErrorItem:
    return ErrorItem(index=index, field=field, message=message)


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")


def _error_from_msgspec(exc: msgspec.ValidationError, index: int | None) -> ErrorItem:
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


# JSON can carry NUL only as the escape \u0000 (after an even run of backslashes); PostgreSQL text cannot.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _refuse_nul(body: bytes) -> None:
    # The plain substring test first: a byte search is far cheaper than the regex (docs/performance.md).
    if b"\\u0000" in body and _NUL_ESCAPE.search(body):
        raise MalformedBody("Text may not contain the NUL character (\\u0000).")


def decode_json(body: bytes) -> Any:
    _refuse_nul(body)
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
    errors: list[ErrorItem] = []
    for index, raw in enumerate(raw_items):
        try:
            items.append(msgspec.convert(raw, item_type, strict=strict))
        except msgspec.ValidationError as exc:
            errors.append(_error_from_msgspec(exc, index))
    if errors:
        raise InvalidItems(errors)
    return check_timestamps(items)


@cache
def _timestamp_paths(struct_type: type) -> tuple[tuple[str, str], ...]:
    """(field, kind) of a Struct's fields that hold timestamps: kind is "one", "struct" or "structs"."""
    paths = []
    for name, hint in get_type_hints(struct_type, include_extras=True).items():
        if name not in struct_type.__struct_fields__:
            continue
        for candidate in (hint, *get_args(hint)):
            base = get_args(candidate)[0] if get_origin(candidate) is Annotated else candidate
            if base is datetime:
                paths.append((name, "one"))
            elif isinstance(base, type) and issubclass(base, msgspec.Struct) and _timestamp_paths(base):
                paths.append((name, "struct"))
            elif get_origin(base) is list and get_args(base):
                inner = get_args(base)[0]
                inner = get_args(inner)[0] if get_origin(inner) is Annotated else inner
                if isinstance(inner, type) and issubclass(inner, msgspec.Struct) and _timestamp_paths(inner):
                    paths.append((name, "structs"))
            else:
                continue
            break
    return tuple(paths)


def _timestamp_errors(item: Any, index: int | None, prefix: str = "") -> list[ErrorItem]:
    errors = []
    for name, kind in _timestamp_paths(type(item)):
        value = getattr(item, name)
        if value is None or value is msgspec.UNSET:
            continue
        if kind == "one":
            if value.year not in YEARS or abs(value.utcoffset()) > MAX_OFFSET:
                errors.append(item_error(index, f"{prefix}{name}", TIMESTAMP_RANGE_MESSAGE))
        elif kind == "struct":
            errors += _timestamp_errors(value, index, f"{prefix}{name}.")
        else:
            for position, inner in enumerate(value):
                errors += _timestamp_errors(inner, index, f"{prefix}{name}[{position}].")
    return errors


def check_timestamps(items: list[T], *, single: bool = False) -> list[T]:
    """Refuse timestamps the database cannot store or the business cannot mean (InvalidItems, every one)."""
    if not items or not _timestamp_paths(type(items[0])):
        return items
    errors = []
    for index, item in enumerate(items):
        errors += _timestamp_errors(item, None if single else index)
    if errors:
        raise InvalidItems(errors)
    return items


@cache
def batch_type(key: str, item_type: type, max_items: int) -> type:
    """The Struct of a batch body, `{"<key>": [item, ...]}`: what `decode_batch` validates, and what the API
    publishes as the endpoint's schema. More than `max_items` items fail it; the slow path then says 413."""
    items = Annotated[list[item_type], msgspec.Meta(max_length=max_items)]
    return msgspec.defstruct(f"{item_type.__name__}Batch", [(key, items)], module=__name__)


def decode_batch(body: bytes, key: str, item_type: type[T], *, max_items: int) -> list[T]:
    """`{"<key>": [item, ...]}` → validated items. Raises MalformedBody, TooManyItems or InvalidItems."""
    _refuse_nul(body)
    try:
        batch = msgspec.json.decode(body, type=batch_type(key, item_type, max_items))
    except msgspec.ValidationError:
        pass  # fall through to the slow path, which reports every bad item (or a batch too large)
    except msgspec.DecodeError as exc:
        raise MalformedBody(f"Malformed JSON: {exc}") from exc
    else:
        return check_timestamps(getattr(batch, key))
    data = decode_json(body)
    if not isinstance(data, dict):
        raise InvalidItems([item_error(None, None, f'Expected a JSON object like {{"{key}": [...]}}.')])
    if key not in data:
        raise InvalidItems([item_error(None, key, "This field is required.")])
    return validate_items(key, data[key], item_type, max_items=max_items)


def decode_object(body: bytes, item_type: type[T]) -> T:
    """A single JSON object body (a cart snapshot). Raises MalformedBody or InvalidItems (index None)."""
    _refuse_nul(body)
    try:
        return check_timestamps([msgspec.json.decode(body, type=item_type)], single=True)[0]
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
        self.errors: list[ErrorItem] = []

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
