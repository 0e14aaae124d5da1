"""Statement months: a month is named by its first day, in the portal's time zone."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def previous_month(period: date) -> date:
    return date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def local_period(moment: datetime) -> date:
    """The statement month of an instant, in the portal's time zone."""
    return month_start(timezone.localtime(moment).date())


def current_period(now: datetime | None = None) -> date:
    return local_period(now or timezone.now())


def parse_period(value: str) -> date:
    """'YYYY-MM' → first day of that month; ValueError otherwise."""
    if len(value) != 7 or value[4] != "-" or not (value[:4].isdigit() and value[5:].isdigit()):
        raise ValueError(f"not a period (YYYY-MM): {value!r}")
    year, month = int(value[:4]), int(value[5:])
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        raise ValueError(f"not a period (YYYY-MM): {value!r}")
    return date(year, month, 1)
