"""Money and numbers: a currency's minor unit, rounding to it, and showing amounts, counts and shares in the
reader's language. The one home of these rules: pages, CSV, the ledger and emails all come here.

Rounding follows ISO 4217 (the legal minor unit); display follows CLDR through Babel, in the active language.
Amounts are `Decimal` everywhere; a float never holds money.

Display is on hot pages (a network report prints thousands of cells), so Babel is asked once per locale and
currency for the symbols and the currency's place, and each value is then formatted by Python's own
`format()` with those symbols swapped in.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation

ONE = Decimal("1")
CENT = Decimal("0.01")
# ISO 4217 currencies without a minor unit; every other one rounds to cents (the ledger stores two decimals).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency` the portal stores: 1 for JPY, 0.01 for EUR."""
    return ONE if currency.upper() in ZERO_DECIMAL_CURRENCIES else CENT


def round_money(value: Decimal, currency: str) -> Decimal:
    """Round once, half-even, to the currency's minor unit."""
    return value.quantize(minor_unit(currency), rounding=ROUND_HALF_EVEN)


def cents(value: Decimal | float | int | str | None) -> Decimal:
    """A database sum of money as an exact two-decimal amount (None → 0).

    PostgreSQL sums `numeric` exactly; SQLite sums decimals in floating point ("385.900000000000"), so every
    total read back from an aggregate passes through here before it is shown or compared.
    """
    return Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_EVEN)


# --- display --------------------------------------------------------------------------------------------------


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a Django language code ("it" → "it", "en-gb" → "en_GB"); the active one by default."""
    return _to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=16)
def _to_locale(language: str) -> str:
    return translation.to_locale(language)


@lru_cache(maxsize=32)
def _symbols(locale: str) -> tuple[str, str, str, str]:
    """(decimal separator, group separator, minus sign, percent pattern with "{}" for the number)."""
    parsed = Locale.parse(locale)
    symbols = parsed.number_symbols.get("latn", parsed.number_symbols)
    percent_pattern = parsed.percent_formats[None].pattern.replace("#,##0", "{}").replace("#,#0", "{}")
    return symbols["decimal"], symbols["group"], symbols["minusSign"], percent_pattern


@lru_cache(maxsize=256)
def _currency_frame(locale: str, currency: str) -> tuple[str, str, int]:
    """(text before the number, text after it, the currency's display digits) for `currency` in `locale`."""
    shown = format_currency(Decimal("1"), currency, locale=locale)  # "1,00 €", "€1.00", "¥1"
    start = shown.index("1")
    end = start + 1
    while end < len(shown) and (shown[end].isdigit() or shown[end] in ".,'\u00a0\u202f"):
        if not shown[end].isdigit() and not (end + 1 < len(shown) and shown[end + 1].isdigit()):
            break
        end += 1
    digits = len(shown[start:end]) - 2 if end - start > 1 else 0
    return shown[:start], shown[end:], max(digits, 0)


def _grouped(value: Decimal | float | int, decimals: int, locale: str) -> str:
    decimal_sep, group_sep, minus, _percent = _symbols(locale)
    text = f"{abs(value):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", decimal_sep).replace("\x00", group_sep)
    return f"{minus}{text}" if value < 0 and text.strip("0" + decimal_sep + group_sep) else text


def format_number(value: Decimal | float | int | None, decimals: int = 0, *, language: str | None = None) -> str:
    """A count or a measure with the reader's grouping and decimal separators ("14.559" / "14,559"); "—" for none."""
    if value is None:
        return "—"
    return _grouped(value, decimals, babel_locale(language))


def format_money(
    amount: Decimal | int | None, currency: str, *, language: str | None = None, whole: bool = False
) -> str:
    """An amount with its currency, as the reader writes it: "9.241,90 €" in Italian, "€9,241.90" in English.

    `whole` drops the minor unit (chart labels and network totals, where cents are noise).
    """
    locale = babel_locale(language)
    before, after, digits = _currency_frame(locale, currency.upper())
    value = Decimal(amount if amount is not None else 0)
    decimals = 0 if whole else digits
    number = _grouped(abs(value), decimals, locale)
    minus = _symbols(locale)[2] if value.quantize(Decimal(1).scaleb(-decimals)) < 0 else ""
    return f"{minus}{before}{number}{after}"


def format_percent(share: float | Decimal | None, decimals: int = 1, *, language: str | None = None) -> str:
    """A share (0.125) as a percentage in the reader's style ("12,5%" / "12.5%"); "—" when there is none."""
    if share is None:
        return "—"
    locale = babel_locale(language)
    return _symbols(locale)[3].format(_grouped(Decimal(str(share)) * 100, decimals, locale))
