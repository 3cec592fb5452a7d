"""Template helpers used on every page: money the local way, Markdown, percentages."""

from decimal import Decimal

from django import template
from django.utils import formats, translation

from cobudget.markdown import render_markdown
from cobudget.money import CURRENCY_SYMBOLS, places_for

register = template.Library()


def format_money(amount, currency: str = "EUR") -> str:
    """430,00 € in French, €430.00 in English (non-breaking spaces, never a float)."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    places = places_for(currency)
    number = formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    lang = (translation.get_language() or "fr")[:2]
    if lang == "fr":
        return f"{number}\u00a0{symbol}"
    if amount < 0:
        return f"-{symbol}{number[1:]}"
    return f"{symbol}{number}"


@register.filter
def money(amount, currency="EUR"):
    return format_money(amount, currency or "EUR")


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def percent(value):
    if value is None:
        return ""
    value = Decimal(value)
    return formats.number_format(value.quantize(Decimal("1")), decimal_pos=0) + "\u00a0%"


@register.filter
def percent_of(part, whole):
    """part ÷ whole × 100, capped display helper for progress bars (0 when whole is 0)."""
    part, whole = Decimal(part or 0), Decimal(whole or 0)
    if whole <= 0:
        return Decimal(0)
    return (part * 100 / whole).quantize(Decimal("0.1"))
