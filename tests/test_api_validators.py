"""Hypothesis tests of the batch validators: any input ends in items or in a named error, never a crash."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clienteling.ingest import CartIn, CustomerIn, EventIn
from inventory.ingest import LocationIn, ProductIn, StockLevelIn
from omniportal.api_batch import InvalidItems, MalformedBody, Money, TooManyItems, decode_batch, decode_object
from orders.ingest_sales import SaleIn

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=25,
)
BATCHES = [
    ("events", EventIn),
    ("customers", CustomerIn),
    ("products", ProductIn),
    ("locations", LocationIn),
    ("levels", StockLevelIn),
    ("sales", SaleIn),
]
EXPECTED = (MalformedBody, TooManyItems, InvalidItems)


@pytest.mark.parametrize(("key", "item_type"), BATCHES)
@settings(max_examples=50, deadline=None)
@given(body=st.binary(max_size=200))
def test_any_bytes_decode_or_fail_with_a_named_error(key, item_type, body):
    with contextlib.suppress(EXPECTED):
        decode_batch(body, key, item_type, max_items=5000)


@pytest.mark.parametrize(("key", "item_type"), BATCHES)
@settings(max_examples=50, deadline=None)
@given(items=st.lists(json_values, max_size=5), extra=json_values)
def test_any_json_batch_decodes_or_names_each_bad_item(key, item_type, items, extra):
    body = json.dumps({key: items, "extra": extra}).encode()
    try:
        decoded = decode_batch(body, key, item_type, max_items=5000)
    except MalformedBody:
        assert b"\\u0000" in body  # well-formed JSON is "malformed" only when it smuggles a NUL into text
    except InvalidItems as exc:
        assert exc.errors
        for error in exc.errors:
            assert set(error) == {"index", "field", "message"}
            assert error["index"] is None or 0 <= error["index"] < len(items)
    else:
        assert len(decoded) == len(items)


@settings(max_examples=80, deadline=None)
@given(value=json_values)
def test_any_cart_body_decodes_or_fails_with_a_named_error(value):
    with contextlib.suppress(EXPECTED):
        decode_object(json.dumps(value).encode(), CartIn)


@settings(max_examples=150, deadline=None)
@given(
    value=st.decimals(allow_nan=True, allow_infinity=True, places=None)
    | st.text(alphabet="0123456789.-+eE ", max_size=14)
)
def test_money_is_a_plain_non_negative_decimal_string_with_at_most_two_places(value):
    text = str(value)
    try:
        accepted = msgspec.convert(text, Money)
    except msgspec.ValidationError:
        return
    amount = Decimal(accepted)
    assert amount.is_finite() and 0 <= amount < Decimal("10000000000")
    assert amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=100, deadline=None)
@given(quantity=st.integers())
def test_cart_quantities_outside_1_to_a_million_are_named(quantity):
    body = {
        "status": "active",
        "updated_at": "2026-11-23T09:00:00Z",
        "currency": "EUR",
        "lines": [{"sku": "A", "quantity": quantity, "unit_price": "1.00"}],
    }
    try:
        decode_object(json.dumps(body).encode(), CartIn)
    except InvalidItems as exc:
        assert not 1 <= quantity <= 1_000_000
        assert exc.errors[0]["field"] == "lines[0].quantity"
    else:
        assert 1 <= quantity <= 1_000_000


def test_more_items_than_allowed_is_too_many_even_when_items_are_invalid():
    with pytest.raises(TooManyItems):
        decode_batch(json.dumps({"events": [1, 2, 3]}).encode(), "events", EventIn, max_items=2)
