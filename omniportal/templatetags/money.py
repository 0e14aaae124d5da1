"""`{% load money %}`: amounts, counts and shares in the reader's language (omniportal.money)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from omniportal.money import format_money, format_number, format_percent

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ order.total|money:order.currency }}` → "9.241,90 €"."""
    return format_money(amount, currency or "EUR")


@register.filter
def money_whole(amount: Decimal | None, currency: str) -> str:
    """`{{ total|money_whole:"EUR" }}` → "14.559 €" (no minor unit)."""
    return format_money(amount, currency or "EUR", whole=True)


@register.filter
def number(value: Decimal | float | int | None, decimals: int = 0) -> str:
    return format_number(value, int(decimals))


@register.filter
def percent(share: float | Decimal | None, decimals: int = 1) -> str:
    """`{{ 0.125|percent }}` → "12,5%"."""
    return format_percent(share, int(decimals))
