"""Template helpers used on every page: money the local way, Markdown, percentages."""

from decimal import ROUND_DOWN, Decimal

from django import template
from django.utils import formats, numberformat, translation
from django.utils.html import format_html

from cobudget.dates import format_when
from cobudget.markdown import render_markdown
from cobudget.money import CURRENCY_SYMBOLS, places_for

register = template.Library()


def money_formatter(currency: str = "EUR"):
    """format_money for many amounts in the active language: the language and its number
    formats are looked up once (a page of 500 bucket cards formats 2,000 amounts)."""
    places = places_for(currency)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    lang = translation.get_language()
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = formats.get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
    french = (lang or "fr")[:2] == "fr"

    def format(amount) -> str:
        if amount is None or amount == "":
            return ""
        amount = Decimal(amount)
        number = numberformat.format(
            amount, decimal_sep, decimal_pos=places, grouping=grouping, thousand_sep=thousand_sep,
            force_grouping=True, use_l10n=True,
        )
        if french:
            return f"{number}\u00a0{symbol}"
        if amount < 0:
            return f"-{symbol}{number[1:]}"
        return f"{symbol}{number}"

    return format


def money_parts(currency: str = "EUR") -> dict:
    """How money_formatter writes amounts in the active language, for a script that must write
    them the same way (the allocation sheet's live total)."""
    lang = translation.get_language()
    return {
        "decimal": formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True),
        "thousand": formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True),
        "symbol": CURRENCY_SYMBOLS.get(currency, currency),
        "places": places_for(currency),
        "symbol_after": (lang or "fr")[:2] == "fr",
    }


def format_money(amount, currency: str = "EUR") -> str:
    """430,00 € in French, €430.00 in English (non-breaking spaces, never a float)."""
    return money_formatter(currency)(amount)


@register.filter
def money(amount, currency="EUR"):
    return format_money(amount, currency or "EUR")


@register.filter
def currency_symbol(currency):
    return CURRENCY_SYMBOLS.get(currency, currency)


@register.filter
def markdown(text):
    return render_markdown(text)


def percent_formatter():
    """The `percent` filter for many values in the active language (formats looked up once)."""
    lang = translation.get_language()
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = formats.get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def format(value) -> str:
        if value is None:
            return ""
        # Down, never up: a bucket at 99.5 % of its minimum is not shown as 100 %.
        value = Decimal(value).quantize(Decimal("1"), rounding=ROUND_DOWN)
        number = numberformat.format(value, decimal_sep, 0, grouping, thousand_sep, use_l10n=True)
        return number + "\u00a0%"

    return format


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


@register.simple_tag
def when(value, group=None, style="datetime"):
    """<time> for `value` in `group`'s time zone, in one of cobudget.dates.STYLES:
    {% when round.funding_closes_at round.group %}, {% when proposal.closed_at group "date" %}."""
    if value is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), format_when(value, style, group))
