from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from omniportal.csv_cells import csv_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("-2.50"), "-2.50"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.0500"), "0.0500"),
        (54.3, "54.3"),
        (12, "12"),
        (dt.date(2026, 11, 1), "2026-11-01"),
        ("MI01", "MI01"),
        ("WEB-0000001", "WEB-0000001"),
    ],
)
def test_values_keep_machine_formats(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+cmd", "-1+2", "@SUM(A1)", "\tx", "\rx", "-", "-nan", "+inf"])
def test_a_cell_a_spreadsheet_would_run_is_neutralised(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-12.50", "+3", "-0"])
def test_a_signed_number_stays_a_number(text):
    assert csv_cell(text) == text
