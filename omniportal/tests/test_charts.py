"""The platform's bar chart: every value and axis label written out (touch screens never show a <title>),
category names wrapped or shortened inside the drawing but never cut, values formatted by the caller."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import partial

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from omniportal.charts import (
    ELLIPSIS,
    LABEL_SIZE,
    Category,
    Chart,
    Series,
    column_chart,
    fit_lines,
    nice_ticks,
    row_chart,
    text_width,
)
from omniportal.money import format_money, format_percent

LONG_NAME = (
    "Milano Porta Nuova – Piazza Gae Aulenti, Galleria del Corso Como, Bastioni di Porta Garibaldi, "
    "Corso di Porta Nuova e Via Melchiorre Gioia (flagship, piani terra e primo)"
)
BANDS = ("0–5 km", "5–15 km", "15–50 km", "50+ km", "Distanza sconosciuta")


def euros(amount: Decimal) -> str:
    return format_money(amount, "EUR", whole=True)


def drawn(chart: Chart) -> str:
    return render_to_string("includes/chart.html", {"chart": chart, "testid": "chart"})


def texts(html: str) -> list[str]:
    """What the SVG prints, one entry per line of text (tooltips left out)."""
    return re.findall(r"<tspan[^>]*>([^<]*)</tspan>", html)


def label_lines(chart: Chart, css: str = "label") -> list[tuple[float, tuple[str, ...]]]:
    return [(label.x, tuple(line for line, _y in label.lines)) for label in chart.labels if label.css == css]


def stores_chart(*names: str) -> Chart:
    return row_chart(
        title="Top stores",
        categories=[Category(name, (Decimal(1000 * (index + 1)),)) for index, name in enumerate(names)],
        series=[Series("")],
        format_value=euros,
    )


def bands_chart(values=(0.74, 0.69, 0.5, 0.24, None)) -> Chart:
    return column_chart(
        title="Abandonment by distance",
        categories=[
            Category(band, (value, 1 - value if value is not None else None))
            for band, value in zip(BANDS, values, strict=True)
        ],
        series=[Series("Abandoned", "bar-a"), Series("Ordered", "bar-b")],
        format_value=partial(format_percent, decimals=0),
        ticks=(0, 0.25, 0.5, 0.75, 1),
    )


def test_every_category_value_and_tick_is_written_out():
    with translation.override("en"):
        html = drawn(bands_chart())

    shown = texts(html)
    assert set(BANDS) <= {" ".join(shown[i : i + 2]) for i in range(len(shown))} | set(shown)
    assert {"74%", "26%", "69%", "31%", "50%", "24%", "76%"} <= set(shown)
    assert {"0%", "25%", "50%", "75%", "100%"} <= set(shown)
    assert "—" in shown  # the band without a value says so, rather than drawing nothing


def test_a_missing_value_draws_no_bar():
    chart = bands_chart()

    assert len(chart.rects) == 8
    assert not column_chart(
        title="t", categories=[Category("a", (None,))], series=[Series("")], format_value=str
    ).has_data


@pytest.mark.parametrize(("language", "amount", "share"), [("en", "€1,000", "74.5%"), ("it", "1.000\xa0€", "74,5%")])
def test_value_labels_are_formatted_in_the_readers_language(language, amount, share):
    shares = partial(
        column_chart,
        title="Abandonment",
        categories=[Category("0–5 km", (Decimal("0.745"),))],
        series=[Series("Abandoned")],
        format_value=format_percent,
    )
    with translation.override(language):
        money_texts = texts(drawn(stores_chart("Milano Duomo")))
        share_texts = texts(drawn(shares()))

    assert amount in money_texts
    assert share in share_texts


def test_money_values_and_ticks_print_their_currency_in_both_languages():
    chart = partial(
        column_chart,
        title="Net",
        categories=[Category("Jan", (Decimal("14559.40"),)), Category("Feb", (Decimal("-120"),))],
        series=[Series("")],
    )
    with translation.override("en"):
        english = texts(drawn(chart(format_value=euros)))
    with translation.override("it"):
        italian = texts(drawn(chart(format_value=euros)))

    assert "€14,559" in english and "-€120" in english and "€0" in english
    assert "14.559\xa0€" in italian and "-120\xa0€" in italian


def test_a_long_store_name_is_never_cut_by_the_edge_of_the_drawing():
    chart = stores_chart(LONG_NAME, "Roma EUR")

    (x, lines), (_x, short) = label_lines(chart)
    assert short == ("Roma EUR",)
    assert len(lines) == 2 and lines[-1].endswith(ELLIPSIS)
    assert all(x + text_width(line, LABEL_SIZE, bold=True) <= chart.width for line in lines)
    shown = " ".join(lines).removesuffix(ELLIPSIS)
    assert LONG_NAME.startswith(shown)  # shortened at the end, never clipped at the start ("ano Porta Nuova")


def test_the_full_name_of_a_shortened_category_stays_readable():
    html = drawn(stores_chart(LONG_NAME))

    assert f"<title>{LONG_NAME}</title>" in html.replace("&#x27;", "'")
    assert f"{LONG_NAME}: €1,000" in html  # the bar's title


def test_a_name_that_fits_is_shown_whole_on_one_line():
    chart = stores_chart("Milano Porta Nuova")

    assert label_lines(chart) == [(4.0, ("Milano Porta Nuova",))]
    assert chart.labels[0].title == ""


def test_column_labels_wrap_inside_their_own_slot():
    chart = bands_chart()

    labels = label_lines(chart)
    assert labels[-1][1] == ("Distanza", "sconosciuta")
    slot = labels[1][0] - labels[0][0]
    for x, lines in labels:
        for line in lines:
            assert text_width(line, LABEL_SIZE, bold=True) <= slot - 6
            assert x - text_width(line, LABEL_SIZE, bold=True) / 2 >= 0
            assert x + text_width(line, LABEL_SIZE, bold=True) / 2 <= chart.width


def test_value_labels_of_neighbouring_bars_do_not_overlap():
    chart = column_chart(
        title="Twelve months",
        categories=[Category(f"M{month}", (Decimal("12345.67") * (-1) ** month,)) for month in range(12)],
        series=[Series("")],
        format_value=partial(format_money, currency="EUR", language="it"),
    )

    values = sorted((label.x, *label.lines[0], label.size) for label in chart.labels if label.css == "value")
    for (x1, text1, y1, size), (x2, text2, y2, _size) in zip(values, values[1:], strict=False):
        apart = x1 + text_width(text1, size) / 2 < x2 - text_width(text2, size) / 2
        assert apart or abs(y1 - y2) >= size  # too wide side by side: every other one a line further out


def test_negative_values_hang_below_the_zero_line_and_are_marked():
    chart = column_chart(
        title="Net",
        categories=[Category("Jan", (Decimal("50"),)), Category("Feb", (Decimal("-20"),), provisional=True)],
        series=[Series("")],
        format_value=euros,
    )

    zero = next(line.y1 for line in chart.lines if line.css == "zero")
    january, february = chart.rects
    assert january.y + january.height == pytest.approx(zero)
    assert february.y == pytest.approx(zero)
    assert february.css == "bar-a is-negative is-provisional"
    assert 'class="bar bar-a is-negative is-provisional"' in drawn(chart)


def test_the_legend_names_the_series_and_a_single_unnamed_series_has_none():
    assert [series.name for series in bands_chart().legend] == ["Abandoned", "Ordered"]
    assert stores_chart("Roma EUR").legend == []
    assert "chart-legend" not in drawn(stores_chart("Roma EUR"))


def test_nothing_to_draw_says_so_in_words():
    with translation.override("it"):
        html = drawn(stores_chart())

    assert "<svg" not in html and "Nessun dato" in html


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 0, ["0"]),
        (0, 334, ["0", "100", "200", "300", "400"]),
        (-4, 334, ["-100", "0", "100", "200", "300", "400"]),
        (0, Decimal("7.50"), ["0", "2", "4", "6", "8"]),
        (0, 1, ["0", "0.25", "0.5", "0.75", "1"]),
    ],
)
def test_ticks_are_round_numbers_that_include_zero(low, high, expected):
    assert nice_ticks(low, high) == [Decimal(value) for value in expected]


def test_a_word_longer_than_the_line_is_shortened_on_its_own():
    lines = fit_lines("Supercalifragilistichespiralidoso store", 100, LABEL_SIZE, bold=True)

    assert lines[0].endswith(ELLIPSIS) and text_width(lines[0], LABEL_SIZE, bold=True) <= 100
    assert lines[1] == "store"


def test_the_label_of_the_lowest_negative_value_stays_above_the_category_names():
    chart = column_chart(
        title="Net",
        categories=[Category("Jan", (Decimal("300"),)), Category("Feb", (Decimal("-100"),))],
        series=[Series("")],
        format_value=euros,
    )

    negative = next(label for label in chart.labels if label.css == "value" and label.lines[0][0].startswith("-"))
    first_name_line = min(label.lines[0][1] for label in chart.labels if label.css == "label")
    assert negative.lines[0][1] <= first_name_line - LABEL_SIZE
