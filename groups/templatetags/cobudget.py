"""Template helpers used on every page: money the local way, Markdown, percentages."""

from decimal import Decimal

from django import template

from cobudget.markdown import render_markdown
from cobudget.money import format_money, percent_formatter

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    return format_money(amount, currency or "EUR")


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def percent(value):
    return percent_formatter()(value)


@register.filter
def percent_of(part, whole):
    """part ÷ whole × 100, capped display helper for progress bars (0 when whole is 0)."""
    part, whole = Decimal(part or 0), Decimal(whole or 0)
    if whole <= 0:
        return Decimal(0)
    return (part * 100 / whole).quantize(Decimal("0.1"))
