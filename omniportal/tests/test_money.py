from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from omniportal.money import cents, format_money, format_number, format_percent, minor_unit, round_money


def test_minor_unit_is_iso_4217s():
    assert minor_unit("EUR") == Decimal("0.01")
    assert minor_unit("jpy") == Decimal("1")


def test_round_money_rounds_half_even_to_the_minor_unit():
    assert round_money(Decimal("0.125"), "EUR") == Decimal("0.12")
    assert round_money(Decimal("0.135"), "EUR") == Decimal("0.14")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("2")


def test_cents_reads_a_sqlite_float_sum_as_exact_cents():
    assert cents("385.900000000000") == Decimal("385.90")
    assert cents(None) == Decimal("0.00")


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("it", Decimal("9241.9"), "EUR", "9.241,90\xa0€"),
        ("en", Decimal("9241.9"), "EUR", "€9,241.90"),
        ("it", Decimal("-12.5"), "EUR", "-12,50\xa0€"),
        ("en", Decimal("1200"), "JPY", "¥1,200"),
        ("it", Decimal("62.9"), "CHF", "62,90\xa0CHF"),
    ],
)
def test_money_is_written_as_the_reader_writes_it(language, amount, currency, shown):
    assert format_money(amount, currency, language=language) == shown


@given(
    amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(["EUR", "USD", "GBP", "CHF", "JPY", "SEK", "PLN"]),
    language=st.sampled_from(["it", "en"]),
)
def test_fast_money_format_is_babels(amount, currency, language):
    shown = format_money(amount, currency, language=language)
    if amount < 0 and round_money(abs(amount), "JPY" if currency == "JPY" else currency) == 0:
        # Babel writes "-¥0" for -0.4 yen; an amount that shows as nothing shows without a sign.
        assert shown == format_money(abs(amount), currency, language=language)
    else:
        assert shown == format_currency(amount, currency, locale=language)


def test_whole_money_drops_the_cents():
    assert format_money(Decimal("14559.4"), "EUR", language="it", whole=True) == "14.559\xa0€"
    assert format_money(Decimal("14559.4"), "EUR", language="en", whole=True) == "€14,559"


def test_numbers_and_percentages_follow_the_language():
    assert format_number(14559, language="it") == "14.559"
    assert format_number(14559, language="en") == "14,559"
    assert format_number(Decimal("3.14159"), 2, language="it") == "3,14"
    assert format_percent(0.125, language="it") == "12,5%"
    assert format_percent(0.125, language="en") == "12.5%"
    assert format_percent(None) == "—"
    assert format_number(None) == "—"


def test_template_filters_use_the_active_language():
    template = Template("{% load money %}{{ amount|money:'EUR' }} · {{ share|percent }} · {{ count|number }}")
    with translation.override("it"):
        shown = template.render(Context({"amount": Decimal("1234.5"), "share": 0.5, "count": 12000}))
    assert shown == "1.234,50\xa0€ · 50,0% · 12.000"
