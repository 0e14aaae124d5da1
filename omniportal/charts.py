"""Bar charts drawn on the server as SVG, shown by `templates/includes/chart.html`.

A chart is titled bars with category labels and formatted values, nothing more: the caller formats the
values (omniportal.money) and names the series; no JavaScript, no library, nothing the CSP has to allow.

Readable by touch, where an SVG `<title>` never shows: every value is printed beside its bar, the value axis
has its ticks written out, and a category name is never cut by the edge of the drawing. A name wraps onto a
second line and, only past that, is shortened with an ellipsis; the full name stays in the label's `<title>`
(hover, screen readers) and in the table that every chart of the portal sits next to.

Text is laid out here, without a browser, from the advance widths of DejaVu Sans: the widest of the usual
tablet and desktop sans-serif fonts, so on any other font the text is narrower than planned, never wider.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = Decimal | float | int
ELLIPSIS = "…"

# Font sizes (SVG user units). Category labels are drawn bold (weight 600): up to 15 % wider.
LABEL_SIZE = 15
VALUE_SIZE = 14
TICK_SIZE = 13
SMALLEST_VALUE_SIZE = 11
BOLD = 1.15
LINE_GAP = 1.25

# Advance widths in em, rounded up from DejaVu Sans (and, times BOLD, from DejaVu Sans Bold); characters not
# listed fall back to their base letter ("é" to "e"), then to WIDE.
_WIDTHS = {
    **dict.fromkeys("il'", 0.3),
    **dict.fromkeys(".,:;|·jI/\\-\u00a0\u202f ", 0.36),
    **dict.fromkeys("ftr()[]!", 0.44),
    **dict.fromkeys("sz`?*_", 0.53),
    **dict.fromkeys("ckvxyJ", 0.6),
    **dict.fromkeys("abdeghnopqu0123456789$€£¥–", 0.64),
    **dict.fromkeys("FLTPSEY", 0.66),
    **dict.fromkeys("ABCKRVXZ", 0.7),
    **dict.fromkeys("DGHNOQUw+=<>~&#", 0.84),
    **dict.fromkeys("mM%", 0.98),
    **dict.fromkeys("W@—…", 1.0),
}
WIDE = 0.8


def _char_width(char: str) -> float:
    if char in _WIDTHS:
        return _WIDTHS[char]
    base = unicodedata.normalize("NFD", char)[:1]
    if base in _WIDTHS:
        return _WIDTHS[base]
    return 1.0 if unicodedata.east_asian_width(char) in {"W", "F"} else WIDE


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """How wide `text` is drawn at `size`, at most (see the module's note on fonts)."""
    return sum(_char_width(char) for char in text) * size * (BOLD if bold else 1.0)


def _shorten(text: str, width: float, size: float, bold: bool) -> str:
    while text and text_width(text + ELLIPSIS, size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit_lines(text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 2) -> list[str]:
    """`text` wrapped at spaces into at most `max_lines` lines no wider than `width`; what does not fit ends
    in an ellipsis (a word longer than a line is shortened on its own line)."""
    lines: list[str] = []
    words = text.split()
    while words:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size, bold=bold) <= width:
            line = f"{line} {words.pop(0)}"
        if len(lines) == max_lines - 1 and words:
            line = _shorten(" ".join([line, *words]), width, size, bold)
            words = []
        elif text_width(line, size, bold=bold) > width:
            line = _shorten(line, width, size, bold)
        lines.append(line)
    return lines or [""]


@dataclass(frozen=True)
class Series:
    """One kind of bar: its legend entry ("" for none) and its colour, a CSS class (bar-a, bar-b, bar-c)."""

    name: str
    tone: str = "bar-a"


@dataclass(frozen=True)
class Category:
    """A group of bars, one value per series (None: nothing to draw). `long_label` names it in full where
    there is room (the bars' titles: "January 2026" for the axis label "Jan"); `provisional` draws it lighter:
    a figure that can still change, such as the month in progress."""

    label: str
    values: tuple[Number | None, ...]
    provisional: bool = False
    long_label: str = ""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Label:
    """Text: one or more lines, each at its own baseline `y`. `title` holds the whole text when a line is
    shortened."""

    x: float
    lines: tuple[tuple[str, float], ...]
    css: str
    size: float
    anchor: str = "middle"
    title: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "grid"


@dataclass
class Chart:
    title: str
    width: float
    height: float
    series: list[Series]
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.rects)

    @property
    def legend(self) -> list[Series]:
        return [series for series in self.series if series.name]


def nice_ticks(low: Number, high: Number, *, count: int = 4) -> list[Decimal]:
    """Round tick values (1, 2, 2.5 or 5 × 10ⁿ apart) covering low…high and zero."""
    low, high = min(Decimal(str(low)), Decimal(0)), max(Decimal(str(high)), Decimal(0))
    if low == high:
        return [Decimal(0)]
    rough = (high - low) / count
    power = Decimal(10) ** math.floor(math.log10(rough))
    step = next(power * factor for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
                if power * factor >= rough)  # fmt: skip
    first = math.floor(low / step)
    last = math.ceil(high / step)
    return [step * index for index in range(first, last + 1)]


def _bar_title(category: Category, series: Series, text: str) -> str:
    name = category.long_label or category.label
    return f"{name} · {series.name}: {text}" if series.name else f"{name}: {text}"


def _bar_css(series: Series, value: Number, category: Category) -> str:
    return " ".join(
        [series.tone, *(["is-negative"] if value < 0 else []), *(["is-provisional"] if category.provisional else [])]
    )


def _values(categories: Sequence[Category]) -> list[Number]:
    return [value for category in categories for value in category.values if value is not None]


def _value_size(centres: Sequence[float], texts: Sequence[str], right_edge: float, *, step: int = 1) -> float:
    """The largest value size at which labels centred on `centres` keep clear of the label `step` places
    along and of the right edge."""
    size = float(VALUE_SIZE)
    widths = [text_width(text, 1) for text in texts]
    for index in range(step, len(centres)):
        pair = widths[index - step] + widths[index]
        if pair:
            size = min(size, (centres[index] - centres[index - step] - 3) / (pair / 2))
    if centres and widths[-1]:
        size = min(size, (right_edge - centres[-1]) / (widths[-1] / 2))
    return size


def _value_layout(centres: Sequence[float], texts: Sequence[str], right_edge: float) -> tuple[int, bool]:
    """(size, staggered): the values' size, and whether every other one goes a line further out from its bar
    because side by side they would not fit even at SMALLEST_VALUE_SIZE."""
    size = _value_size(centres, texts, right_edge)
    if size >= SMALLEST_VALUE_SIZE:
        return math.floor(size), False
    return max(SMALLEST_VALUE_SIZE, math.floor(_value_size(centres, texts, right_edge, step=2))), True


def column_chart(
    *,
    title: str,
    categories: Sequence[Category],
    series: Sequence[Series],
    format_value: Callable[[Number], str],
    ticks: Sequence[Number] | None = None,
    width: float = 720,
    plot_height: float = 220,
) -> Chart:
    """Vertical bars, categories side by side along the bottom (months, distance bands: short labels).

    The value axis runs over `ticks` (default: round values around the data, zero included) and is written
    out on the left; bars below zero hang from the zero line. Each bar carries its value at its end; a missing
    value is written as "—" on the zero line.
    """
    values = _values(categories)
    if ticks:
        ticks = [Decimal(str(tick)) for tick in ticks]
    else:
        ticks = nice_ticks(min(values, default=0), max(values, default=0))
    low, high = min(ticks), max(ticks)
    span = float(high - low) or 1.0
    tick_texts = [format_value(tick) for tick in ticks]
    left = max(text_width(text, TICK_SIZE) for text in tick_texts) + 10
    right = 4.0
    slot = (width - left - right) / max(len(categories), 1)
    per_bar = min(56.0, slot * 0.8 / max(len(series), 1))

    bars = []  # (category, series, value, text, centre), left to right
    for index, category in enumerate(categories):
        first = left + index * slot + (slot - per_bar * len(series)) / 2 + per_bar / 2
        for position, (value, kind) in enumerate(zip(category.values, series, strict=True)):
            text = format_value(value) if value is not None else "—"
            bars.append((category, kind, value, text, first + position * per_bar))
    value_size, staggered = _value_layout([bar[4] for bar in bars], [bar[3] for bar in bars], width)
    value_line = value_size * LINE_GAP
    label_lines = [fit_lines(category.label, slot - 6, LABEL_SIZE, bold=True) for category in categories]
    line_height = LABEL_SIZE * LINE_GAP
    top = value_line * (2 if staggered else 1) + 4
    # A negative value's label sits under its bar, which may end at the foot of the plot.
    lowest_label = max(
        (
            plot_height * float(high - Decimal(str(value))) / span + value_line * (2 if staggered else 1)
            for value in values
            if value < 0
        ),
        default=0.0,
    )
    below_zero = max(0.0, lowest_label - plot_height)
    bottom = 10 + below_zero + line_height * max((len(lines) for lines in label_lines), default=1)

    def y_of(value: Number) -> float:
        clamped = min(max(Decimal(str(value)), low), high)
        return top + plot_height * float(high - clamped) / span

    chart = Chart(title=title, width=width, height=round(top + plot_height + bottom, 1), series=list(series))
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_of(tick)
        chart.lines.append(Line(left, y, width - right, y, "zero" if tick == 0 else "grid"))
        chart.labels.append(
            Label(x=left - 6, lines=((text, y + TICK_SIZE * 0.35),), css="tick", size=TICK_SIZE, anchor="end")
        )
    zero_y = y_of(0)
    bar_w = per_bar - 4
    for number, (category, kind, value, text, centre) in enumerate(bars):
        further = value_line if staggered and number % 2 else 0.0
        if value is None:
            chart.labels.append(Label(x=centre, lines=((text, zero_y - 5 - further),), css="value", size=value_size))
            continue
        length = abs(zero_y - y_of(value))
        if value and length < 1:
            length = 1.0
        y = zero_y - length if value >= 0 else zero_y
        chart.rects.append(
            Rect(
                centre - bar_w / 2, y, bar_w, length, _bar_css(kind, value, category), _bar_title(category, kind, text)
            )
        )
        text_y = y - 5 - further if value >= 0 else y + length + value_size + further
        chart.labels.append(Label(x=centre, lines=((text, text_y),), css="value", size=value_size))
    first_line_y = top + plot_height + below_zero + 8 + LABEL_SIZE
    for index, (category, lines) in enumerate(zip(categories, label_lines, strict=True)):
        chart.labels.append(
            Label(
                x=left + index * slot + slot / 2,
                lines=tuple((line, first_line_y + number * line_height) for number, line in enumerate(lines)),
                css="label",
                size=LABEL_SIZE,
                title=category.label if " ".join(lines) != category.label else "",
            )
        )
    return chart


def row_chart(
    *,
    title: str,
    categories: Sequence[Category],
    series: Sequence[Series],
    format_value: Callable[[Number], str],
    width: float = 720,
    bar_height: float = 20,
) -> Chart:
    """Horizontal bars, one block per category with its name on the full width above its bars (stores: long
    names). Each bar carries its value at its end; bars of negative values grow left from the zero line."""
    values = _values(categories)
    low, high = min(min(values, default=0), 0), max(max(values, default=0), 0)
    span = float(high - low) or 1.0
    value_texts = [
        [format_value(value) if value is not None else "—" for value in category.values] for category in categories
    ]
    room = max((text_width(text, VALUE_SIZE) for texts in value_texts for text in texts), default=0) + 8
    pad = 4.0
    left_room = room if low < 0 else 0.0
    plot_w = width - 2 * pad - room - left_room
    zero_x = pad + left_room + plot_w * float(-low) / span
    line_height = LABEL_SIZE * LINE_GAP

    chart = Chart(title=title, width=width, height=0, series=list(series))
    y = 4.0
    for category, texts in zip(categories, value_texts, strict=True):
        lines = fit_lines(category.label, width - 2 * pad, LABEL_SIZE, bold=True)
        chart.labels.append(
            Label(
                x=pad,
                lines=tuple((line, y + LABEL_SIZE + number * line_height) for number, line in enumerate(lines)),
                css="label",
                size=LABEL_SIZE,
                anchor="start",
                title=category.label if " ".join(lines) != category.label else "",
            )
        )
        y += line_height * len(lines) + 4
        for value, text, kind in zip(category.values, texts, series, strict=True):
            baseline = y + bar_height / 2 + VALUE_SIZE * 0.35
            if value is None:
                chart.labels.append(
                    Label(x=zero_x + 6, lines=((text, baseline),), css="value", size=VALUE_SIZE, anchor="start")
                )
            else:
                length = max(plot_w * abs(float(value)) / span, 1.0 if value else 0.0)
                x = zero_x if value >= 0 else zero_x - length
                chart.rects.append(
                    Rect(x, y, length, bar_height, _bar_css(kind, value, category), _bar_title(category, kind, text))
                )
                if value >= 0:
                    chart.labels.append(
                        Label(x=x + length + 6, lines=((text, baseline),), css="value", size=VALUE_SIZE, anchor="start")
                    )
                else:
                    chart.labels.append(
                        Label(x=x - 6, lines=((text, baseline),), css="value", size=VALUE_SIZE, anchor="end")
                    )
            y += bar_height + 4
        y += 10
    chart.height = round(y, 1)
    if low < 0:
        chart.lines.append(Line(zero_x, 0, zero_x, chart.height, "zero"))
    return chart
