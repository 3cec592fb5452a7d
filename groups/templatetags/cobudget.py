"""Template helpers used on every page: money the local way, Markdown, percentages."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from cobudget.dates import format_when
from cobudget.markdown import render_markdown
from cobudget.money import CURRENCY_SYMBOLS, format_money, percent_formatter

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


@register.filter
def currency_symbol(currency):
    return CURRENCY_SYMBOLS.get(currency, currency)


@register.simple_tag
def when(value, group=None, style="datetime"):
    """<time> for `value` in `group`'s time zone, in one of cobudget.dates.STYLES:
    {% when round.funding_closes_at round.group %}, {% when proposal.closed_at group "date" %}."""
    if value is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), format_when(value, style, group))
