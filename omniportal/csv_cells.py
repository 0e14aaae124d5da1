"""Cells of the CSV files people download (commission statements, the insight report): machine formats that any
spreadsheet or script reads the same way, whatever the reader's language.

- numbers as Python writes them: dot decimals, no thousands separators, never an exponent ("1E+2");
- text as it is, except a cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
  return, and is not a number): it gets a leading apostrophe. Store and policy names come from head office and
  order references from integrations, not from code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in {"nan", "snan", "inf", "infinity"}


def csv_cell(value: object) -> str:
    """One value as a CSV cell: None → "", Decimal → "1234.50", date → ISO 8601, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text
